package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Cuts a schema release and writes golden samples. Never part of a normal test run (the class name
 * matches no surefire include, and each step needs its property). From the repository root:
 *
 * <pre>
 * mvn -B -q -pl schemas test -Dtest=SchemaReleaseTool -Dsurefire.failIfNoSpecifiedTests=false -Dfinwatch.release=true
 * </pre>
 *
 * <p>{@code finwatch.release=true}: every record whose source schema is not yet in the store gets
 * {@code <RecordName>/v<N+1>.avsc} and an index line, then its golden sample {@code v<N+1>.bin/.json}
 * from {@link SampleEvents}. Existing files are never overwritten, except goldens of the current
 * version with {@code finwatch.golden.overwrite=true} (only while that version is unpublished).
 */
@EnabledIfSystemProperty(named = "finwatch.release", matches = "true")
class SchemaReleaseTool {

    @Test
    void releaseChangedSchemasAndWriteTheirGoldenSamples() throws IOException {
        FinwatchSchemaStore before = StoreSource.load();
        for (String name : before.recordNames()) {
            SchemaVersion current = before.current(name);
            if (!current.released()) {
                release(current);
            }
        }
        FinwatchSchemaStore after = StoreSource.load();
        boolean overwrite = Boolean.getBoolean("finwatch.golden.overwrite");
        for (String name : after.recordNames()) {
            SchemaVersion current = after.current(name);
            assertThat(current.released()).as(current.label()).isTrue();
            writeGolden(new FinwatchSerde(after), current, overwrite);
        }
    }

    private static void release(SchemaVersion version) throws IOException {
        Path file = StoreSource.ROOT.resolve(version.recordName()).resolve("v" + version.version() + ".avsc");
        Files.createDirectories(file.getParent());
        Files.writeString(file, SchemaForms.pretty(SchemaForms.releaseTree(version.schema())), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW);
        Files.writeString(StoreSource.ROOT.resolve("index.txt"),
                version.recordName() + " v" + version.version() + " " + version.fingerprintHex() + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        System.out.println("released " + version.label() + " -> " + file);
    }

    private static void writeGolden(FinwatchSerde serde, SchemaVersion version, boolean overwrite) throws IOException {
        Path bin = GoldenFiles.bin(version.recordName(), version.version());
        Path json = GoldenFiles.json(version.recordName(), version.version());
        if (Files.exists(bin) && !overwrite) {
            return;
        }
        byte[] bytes = serde.encode(SampleEvents.of(version.recordName()));
        // The JSON is what a reader holding only the writer schema sees, so it stays true for this version forever.
        GenericRecord asWritten = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), version.schema()).decode(bytes);
        Files.createDirectories(bin.getParent());
        Files.write(bin, bytes);
        Files.writeString(json, SchemaForms.pretty(RecordJson.toJson(asWritten)), StandardCharsets.UTF_8);
        System.out.println("golden " + version.label() + " -> " + bin);
    }
}
