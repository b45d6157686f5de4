package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaStoreTest {

    private final FinwatchSchemaStore store = FinwatchSchemaStore.shared();

    static Stream<String> recordNames() {
        return FinwatchRecords.TOP_LEVEL.keySet().stream();
    }

    static Stream<SchemaVersion> releasedVersions() {
        FinwatchSchemaStore s = FinwatchSchemaStore.shared();
        return s.recordNames().stream().flatMap(n -> s.versions(n).stream()).filter(SchemaVersion::released);
    }

    @ParameterizedTest
    @MethodSource("recordNames")
    void everyRecordIsReleasedWithVersionsNumberedFromOne(String name) {
        List<SchemaVersion> released = store.versions(name).stream().filter(SchemaVersion::released).toList();
        assertThat(released).isNotEmpty();
        assertThat(released).extracting(SchemaVersion::version)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, released.size()).boxed().toList());
    }

    /**
     * Nobody changes a schema without releasing it: the source schema has the newest stored version's
     * canonical form. Docs, defaults and aliases may differ (they steer readers, not what is written);
     * logical types may not, since they change what written numbers mean under the same fingerprint.
     */
    @ParameterizedTest
    @MethodSource("recordNames")
    void currentSchemaIsTheLatestReleasedVersion(String name) {
        Schema current = FinwatchRecords.currentSchema(name);
        SchemaVersion latest = store.latestReleased(name).orElseThrow();

        assertThat(SchemaNormalization.toParsingForm(current))
                .as("%s changed since v%d: release it (store/README.md)", name, latest.version())
                .isEqualTo(SchemaNormalization.toParsingForm(latest.schema()));
        assertThat(store.current(name)).isEqualTo(latest);
        assertThat(SchemaForms.meaningTree(current))
                .as("%s differs from its v%d in a logical type or property under the same fingerprint; "
                        + "values already written would be misread. Add a new field instead", name, latest.version())
                .isEqualTo(SchemaForms.meaningTree(latest.schema()));
    }

    @ParameterizedTest
    @MethodSource("releasedVersions")
    void currentSchemaReadsEveryStoredVersion(SchemaVersion stored) {
        Schema current = FinwatchRecords.currentSchema(stored.recordName());
        var result = SchemaCompatibility.checkReaderWriterCompatibility(current, stored.schema());
        assertThat(result.getType())
                .as("current %s reading %s: %s", stored.recordName(), stored.label(), result.getResult().getIncompatibilities())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
    }

    @ParameterizedTest
    @MethodSource("releasedVersions")
    void everyStoredVersionIsFoundByItsFingerprint(SchemaVersion stored) {
        assertThat(store.findByFingerprint(stored.fingerprint())).isSameAs(stored.schema());
        assertThat(store.byFingerprint(stored.fingerprint())).contains(stored);
    }

    @Test
    void storedFilesAreSelfContainedAndFreeOfJavaOnlyProperties() throws IOException {
        for (SchemaVersion v : releasedVersions().toList()) {
            String text = Files.readString(StoreSource.ROOT.resolve(v.recordName()).resolve("v" + v.version() + ".avsc"));
            // A parser that knows no other type: every referenced type must be inlined.
            assertThat(Fingerprint.of(new Schema.Parser().parse(text))).as(v.label()).isEqualTo(v.fingerprint());
            assertThat(text).as(v.label()).doesNotContain("avro.java");
        }
    }

    @Test
    void theSourceTreeStoreIsWhatTheJarShips() {
        FinwatchSchemaStore source = StoreSource.load();
        assertThat(releasedVersions().map(SchemaVersion::fingerprint))
                .containsExactlyInAnyOrderElementsOf(source.recordNames().stream()
                        .flatMap(n -> source.versions(n).stream()).filter(SchemaVersion::released).map(SchemaVersion::fingerprint).toList());
    }

    @Test
    void unknownFingerprintIsNullAsAvroExpects() {
        long unknown = 0x0123456789abcdefL;
        assertThat(store.findByFingerprint(unknown)).isNull();
        assertThat(store.byFingerprint(unknown)).isEmpty();
    }

    @Test
    void unknownRecordNameIsRefused() {
        assertThatThrownBy(() -> store.versions("Owner")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Owner");
    }

    /** A schema edited after its release no longer matches its index line; the store names the file and refuses. */
    @Test
    void editedReleasedSchemaIsRefused(@TempDir Path dir) throws IOException {
        Path store = copyStore(dir);
        Path file = store.resolve("SocketTransition/v1.avsc");
        String original = Files.readString(file);
        String edited = original.replaceFirst("\"name\" : \"local_port\",\\s*\"type\" : \"int\"", "\"name\" : \"local_port\", \"type\" : \"long\"");
        assertThat(edited).isNotEqualTo(original);
        Files.writeString(file, edited);

        assertThatThrownBy(() -> StoreSource.loadFrom(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SocketTransition/v1.avsc")
                .hasMessageContaining("index.txt:")
                .hasMessageContaining("edited");
    }

    @Test
    void malformedIndexLineIsReportedWithItsLineNumber(@TempDir Path dir) throws IOException {
        Path store = copyStore(dir);
        Files.writeString(store.resolve("index.txt"), "# header\nSocketTransition 1 d53de0cae2c30f9b\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> StoreSource.loadFrom(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("index.txt:2")
                .hasMessageContaining("SocketTransition 1 d53de0cae2c30f9b");
    }

    @Test
    void missingSchemaFileIsReportedWithItsIndexLine(@TempDir Path dir) throws IOException {
        Path store = copyStore(dir);
        Files.delete(store.resolve("FinWait2Anomaly/v1.avsc"));

        assertThatThrownBy(() -> StoreSource.loadFrom(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FinWait2Anomaly/v1.avsc")
                .hasMessageContaining("index.txt:");
    }

    /** A version that does not change the wire format cannot be told apart from its predecessor on the wire. */
    @Test
    void twoVersionsWithOneFingerprintAreRefused() {
        Schema schema = FinwatchRecords.currentSchema("SocketTransition");
        List<SchemaVersion> versions = List.of(SchemaVersion.of("SocketTransition", 1, true, schema), SchemaVersion.of("SocketTransition", 2, true, schema));
        assertThatThrownBy(() -> FinwatchSchemaStore.of(versions))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same fingerprint");
    }

    private static Path copyStore(Path resourcesDir) throws IOException {
        Path target = resourcesDir.resolve(FinwatchSchemaStore.RESOURCE_ROOT);
        try (Stream<Path> files = Files.walk(StoreSource.ROOT)) {
            for (Path p : files.toList()) {
                Path dest = target.resolve(StoreSource.ROOT.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
        return target;
    }
}
