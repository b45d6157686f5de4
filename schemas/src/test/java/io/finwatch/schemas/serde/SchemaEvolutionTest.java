package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

/**
 * The evolution mechanism end to end, with hand-made schemas from test resources (not releases):
 * records written by an older and by a newer schema, read by this build through a store that knows
 * their writers.
 */
class SchemaEvolutionTest {

    private static final String NAME = "SocketTransition";
    private static final long OBSERVED_MS = 1_740_830_400_250L;

    private final Schema current = SocketTransition.getClassSchema();

    @Test
    void olderRecordReadsWithDefaultsForFieldsAddedSince() {
        Schema v0 = load("SocketTransition-v0.avsc");
        assertThat(compatibility(current, v0)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        FinwatchSerde serde = new FinwatchSerde(FinwatchSchemaStore.of(List.of(SchemaVersion.of(NAME, 0, true, v0))));

        GenericRecord old = common(v0)
                .set("kernel_state_code", 5)
                .set("from_state", symbol(v0, "to_state", "ESTABLISHED"))
                .set("to_state", symbol(v0, "to_state", "FIN_WAIT2"))
                .set("timer", symbol(v0, "timer", "KEEPALIVE"))
                .set("fin_timeout_source", symbol(v0, "fin_timeout_source", "HOST_FALLBACK"))
                .build();
        byte[] bytes = encode(v0, old);

        assertThat(serde.identifyOrThrow(bytes)).isEqualTo(new Identified(NAME, 0, true, Fingerprint.of(v0)));
        SocketTransition t = serde.decode(bytes, SocketTransition.class);
        assertCommonFields(t);
        assertThat(t.getFromState()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(t.getToState()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(t.getTimer()).isEqualTo(TimerKind.KEEPALIVE);
        assertThat(t.getFinTimeoutSource()).isEqualTo(FinTimeoutSource.HOST_FALLBACK);
        // Added since v0: the reader's defaults.
        assertThat(t.getOrdinal()).isZero();
        assertThat(t.getReapDeadline()).isNull();
        assertThat(t.getContainerId()).isNull();
        assertThat(t.getLastOwner()).isNull();
        // Without the writer schema in the store the same bytes are unreadable, and say so.
        assertThatThrownBy(() -> FinwatchSerde.shared().decode(bytes, SocketTransition.class))
                .isInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining(Fingerprint.hex(Fingerprint.of(v0)));
    }

    /** What an already deployed consumer does with a newer collector's record: unknown symbols become UNKNOWN, new fields are skipped. */
    @Test
    void newerRecordDegradesUnknownSymbolsToUnknown() {
        Schema future = load("SocketTransition-future.avsc");
        assertThat(compatibility(current, future)).isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        int next = FinwatchSchemaStore.shared().latestReleased(NAME).orElseThrow().version() + 1;
        FinwatchSerde serde = new FinwatchSerde(FinwatchSchemaStore.of(List.of(SchemaVersion.of(NAME, next, true, future))));

        GenericRecord newer = common(future)
                .set("from_state", symbol(future, "to_state", "BOUND_INACTIVE"))
                .set("to_state", symbol(future, "to_state", "BOUND_INACTIVE"))
                .set("timer", symbol(future, "timer", "PERSIST"))
                .set("fin_timeout_source", symbol(future, "fin_timeout_source", "NAMESPACE"))
                .set("rtt_us", 1_250L)
                .build();
        SocketTransition t = serde.decode(encode(future, newer), SocketTransition.class);

        assertCommonFields(t);
        assertThat(t.getFromState()).isEqualTo(TcpState.UNKNOWN);
        assertThat(t.getToState()).isEqualTo(TcpState.UNKNOWN);
        assertThat(t.getTimer()).isEqualTo(TimerKind.PERSIST);
    }

    /** The compatibility check run against every stored version catches a release that could not be read. */
    @Test
    void droppingAFieldWithoutDefaultIsIncompatible() {
        Schema v0 = load("SocketTransition-v0.avsc");
        List<Schema.Field> kept = v0.getFields().stream()
                .filter(f -> !f.name().equals("fin_timeout_source"))
                .map(f -> new Schema.Field(f, f.schema()))
                .toList();
        Schema broken = Schema.createRecord(v0.getName(), v0.getDoc(), v0.getNamespace(), false, kept);

        assertThat(compatibility(current, broken)).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static GenericRecordBuilder common(Schema schema) {
        return new GenericRecordBuilder(schema)
                .set("host", "node-3").set("collector_id", "c-1").set("seq", 17L)
                .set("observed_at", OBSERVED_MS)
                .set("netns", 4_026_531_840L).set("family", 4)
                .set("local_ip", "10.0.0.5").set("local_port", 8080)
                .set("remote_ip", "10.0.0.9").set("remote_port", 51_234)
                .set("inode", 0L).set("uid", 1000).set("orphaned", true)
                .set("timer_ms", 42_000L)
                .set("pid", null).set("comm", null)
                .set("fin_timeout_s", 60);
    }

    private static void assertCommonFields(SocketTransition t) {
        assertThat(t.getHost()).isEqualTo("node-3");
        assertThat(t.getSeq()).isEqualTo(17L);
        assertThat(t.getObservedAt()).isEqualTo(Instant.ofEpochMilli(OBSERVED_MS));
        assertThat(t.getLocalIp()).isEqualTo("10.0.0.5");
        assertThat(t.getRemotePort()).isEqualTo(51_234);
        assertThat(t.getOrphaned()).isTrue();
        assertThat(t.getTimerMs()).isEqualTo(42_000L);
        assertThat(t.getPid()).isNull();
        assertThat(t.getFinTimeoutS()).isEqualTo(60);
    }

    private static GenericData.EnumSymbol symbol(Schema record, String field, String symbol) {
        Schema enumSchema = record.getField(field).schema();
        return new GenericData.EnumSymbol(enumSchema, symbol);
    }

    private static byte[] encode(Schema writer, GenericRecord record) {
        try {
            ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), writer).encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SchemaCompatibilityType compatibility(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType();
    }

    private static Schema load(String name) {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/evolution/" + name)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
