package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Committed records of every released version, decoded by this build. They pin the byte format:
 * a change that would leave old records unreadable, or read differently, fails here.
 */
class GoldenSamplesTest {

    private final FinwatchSerde serde = FinwatchSerde.shared();

    static Stream<SchemaVersion> releasedVersions() {
        return SchemaStoreTest.releasedVersions();
    }

    /** The bytes and the JSON agree under the schema that wrote them: neither was edited apart from the other. */
    @ParameterizedTest
    @MethodSource("releasedVersions")
    void goldenBytesAreWhatTheirJsonSays(SchemaVersion version) throws IOException {
        byte[] bytes = Files.readAllBytes(GoldenFiles.bin(version.recordName(), version.version()));
        GenericRecord asWritten = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), version.schema()).decode(bytes);

        assertThat(SchemaForms.pretty(RecordJson.toJson(asWritten))).isEqualTo(goldenJsonText(version));
    }

    @ParameterizedTest
    @MethodSource("releasedVersions")
    void goldenBytesDecodeIntoTheCurrentClass(SchemaVersion version) throws IOException {
        byte[] bytes = Files.readAllBytes(GoldenFiles.bin(version.recordName(), version.version()));

        assertThat(serde.identifyOrThrow(bytes)).isEqualTo(version.identified());
        SpecificRecord record = serde.decode(bytes, FinwatchRecords.TOP_LEVEL.get(version.recordName()));
        JsonNode decoded = RecordJson.toJson(record);
        JsonNode golden = SchemaForms.tree(goldenJsonText(version));

        if (version.equals(serde.store().current(version.recordName()))) {
            assertThat(SchemaForms.pretty(decoded)).isEqualTo(SchemaForms.pretty(golden));
        } else {
            // Fields added since take their defaults and removed ones are dropped; every field both know must agree.
            assertAgreeOnCommonFields(version.label(), golden, decoded);
        }
    }

    /** The encoder writes today exactly the bytes committed for the current version: its output format is pinned too. */
    @ParameterizedTest
    @MethodSource("recordNames")
    void theCurrentVersionWritesItsGoldenBytes(String recordName) throws IOException {
        SchemaVersion current = serde.store().current(recordName);
        byte[] golden = Files.readAllBytes(GoldenFiles.bin(recordName, current.version()));

        assertThat(serde.encode(SampleEvents.of(recordName))).as(current.label()).isEqualTo(golden);
    }

    static Stream<String> recordNames() {
        return SchemaStoreTest.recordNames();
    }

    private static void assertAgreeOnCommonFields(String path, JsonNode golden, JsonNode decoded) {
        if (golden.isObject() && decoded.isObject()) {
            for (Map.Entry<String, JsonNode> e : golden.properties()) {
                if (decoded.has(e.getKey())) {
                    assertAgreeOnCommonFields(path + "." + e.getKey(), e.getValue(), decoded.get(e.getKey()));
                }
            }
        } else if (golden.isArray() && decoded.isArray()) {
            assertThat(decoded.size()).as(path).isEqualTo(golden.size());
            for (int i = 0; i < golden.size(); i++) {
                assertAgreeOnCommonFields(path + "[" + i + "]", golden.get(i), decoded.get(i));
            }
        } else {
            assertThat(SchemaForms.pretty(decoded)).as(path).isEqualTo(SchemaForms.pretty(golden));
        }
    }

    private static String goldenJsonText(SchemaVersion version) throws IOException {
        return SchemaForms.pretty(SchemaForms.tree(Files.readString(GoldenFiles.json(version.recordName(), version.version()))));
    }
}
