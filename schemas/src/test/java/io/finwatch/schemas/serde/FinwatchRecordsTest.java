package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/** The class table stands in for loading classes by name, so it must miss nothing. */
class FinwatchRecordsTest {

    private static final Path AVRO_SOURCES = Path.of("src", "main", "avro");

    /** Events at the top of the source folder, store values in {@code state/}; shared types in their {@code types/}. */
    private static final Path STATE_SOURCES = AVRO_SOURCES.resolve("state");

    @Test
    void everyTopLevelSchemaFileIsATopLevelRecord() throws IOException {
        Set<String> files = new HashSet<>(avscNames(AVRO_SOURCES));
        files.addAll(avscNames(STATE_SOURCES));
        assertThat(files).containsExactlyInAnyOrderElementsOf(FinwatchRecords.TOP_LEVEL.keySet());
    }

    @Test
    void everySchemaFileAndEveryTypeTheyReachHasItsClass() throws IOException {
        Set<String> reached = new HashSet<>();
        FinwatchRecords.TOP_LEVEL.keySet().forEach(n -> collectNamed(FinwatchRecords.currentSchema(n), reached));
        Set<String> files = new HashSet<>(avscNames(AVRO_SOURCES));
        files.addAll(avscNames(AVRO_SOURCES.resolve("types")));
        files.addAll(avscNames(STATE_SOURCES));
        files.addAll(avscNames(STATE_SOURCES.resolve("types")));

        assertThat(reached).allSatisfy(full -> assertThat(full).startsWith(FinwatchRecords.NAMESPACE + "."));
        assertThat(reached.stream().map(full -> full.substring(full.lastIndexOf('.') + 1)))
                .containsExactlyInAnyOrderElementsOf(files);
        assertThat(FinwatchRecords.BY_FULL_NAME.keySet()).containsExactlyInAnyOrderElementsOf(reached);
        FinwatchRecords.BY_FULL_NAME.forEach((full, type) -> assertThat(type.getName()).isEqualTo(full));
    }

    @Test
    void theModelResolvesOurTypesWithoutLoadingThemByName() {
        FinwatchRecords.BY_FULL_NAME.forEach((full, type) ->
                assertThat(FinwatchData.get().getClass(FinwatchRecords.schemaOf(type))).isSameAs(type));
    }

    private static void collectNamed(Schema schema, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD -> {
                if (seen.add(schema.getFullName())) {
                    schema.getFields().forEach(f -> collectNamed(f.schema(), seen));
                }
            }
            case ENUM, FIXED -> seen.add(schema.getFullName());
            case UNION -> schema.getTypes().forEach(t -> collectNamed(t, seen));
            case ARRAY -> collectNamed(schema.getElementType(), seen);
            case MAP -> collectNamed(schema.getValueType(), seen);
            default -> { }
        }
    }

    private static Set<String> avscNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new HashSet<>(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".avsc"))
                    .map(n -> n.substring(0, n.length() - ".avsc".length())).toList());
        }
    }
}
