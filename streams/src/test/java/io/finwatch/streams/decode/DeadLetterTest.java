package io.finwatch.streams.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.state.DedupMark;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.DetectorTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterTest extends DetectorTest {


    CollectorRun run;

    @BeforeEach
    void start() {
        run = new CollectorRun("node-4", "run-1", T0, 1000, 60);
    }

    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void garbageGoesToTheDeadLetterTopicWithItsOriginAndProcessingGoesOn() {
        byte[] garbage = "{\"host\":\"node-4\"}".getBytes(StandardCharsets.UTF_8);
        det.sendRawTransition("node-4", garbage);
        // A valid episode after it is still processed.
        det.send(run.attached(run.socket(43000), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, new Proc(1, "x", null)));
        det.send(run.at(T0.plusSeconds(100)).gone(run.socket(43000), TcpState.FIN_WAIT2));

        List<TestRecord<byte[], byte[]>> dead = det.deadLetters();
        assertThat(dead).singleElement().satisfies(r -> {
            assertThat(r.value()).isEqualTo(garbage);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("node-4");
            assertThat(header(r.headers(), DeadLetters.ORIGIN_TOPIC)).isEqualTo(det.settings().transitionsTopic());
            assertThat(header(r.headers(), DeadLetters.ORIGIN_PARTITION)).isEqualTo("0");
            assertThat(header(r.headers(), DeadLetters.ORIGIN_OFFSET)).isEqualTo("0");
            assertThat(header(r.headers(), DeadLetters.ERROR_CLASS)).isEqualTo("NotFinwatchRecordException");
            assertThat(header(r.headers(), DeadLetters.ERROR)).isNotBlank();
        });
        assertThat(det.anomalies()).extracting(FinWait2Anomaly::getKind).containsExactly(AnomalyKind.STUCK, AnomalyKind.RESOLVED);
        assertThat(det.metrics().counterValue("finwatch_streams_dlq_records_total", "topic", det.settings().transitionsTopic()))
                .isEqualTo(1);
    }

    @Test
    void unknownFingerprintWrongTypeAndBadHostAreDeadLettersToo() {
        byte[] valid = FinwatchSerde.shared().encode(run.heartbeat());
        byte[] unknown = Arrays.copyOf(valid, valid.length);
        // Single-object header C3 01, then the little-endian fingerprint: one no schema version has.
        ByteBuffer.wrap(unknown, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);
        det.sendRawHeartbeat("node-4", unknown);
        det.sendRawHeartbeat("node-4", FinwatchSerde.shared().encode(
                run.attached(run.socket(43000), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, new Proc(1, "x", null))));
        det.send(new CollectorRun("bad|host", "run-x", T0, 1000, 60).heartbeat());
        det.sendRawHeartbeat("node-4", null);
        // The transitions topic carries heartbeats too, but no other record.
        det.sendRawTransition("node-4", FinwatchSerde.shared().encode(
                new DedupMark(5L, 0L)));

        List<TestRecord<byte[], byte[]>> dead = det.deadLetters();
        assertThat(dead).extracting(r -> header(r.headers(), DeadLetters.ERROR_CLASS)).containsExactly(
                "UnknownSchemaException", "WrongRecordTypeException", "InvalidEventException", "InvalidEventException",
                "WrongRecordTypeException");
        assertThat(dead).extracting(r -> header(r.headers(), DeadLetters.ORIGIN_TOPIC)).containsExactly(
                det.settings().heartbeatsTopic(), det.settings().heartbeatsTopic(), det.settings().transitionsTopic(),
                det.settings().heartbeatsTopic(), det.settings().transitionsTopic());
        assertThat(dead).extracting(r -> header(r.headers(), DeadLetters.ORIGIN_OFFSET)).containsExactly("0", "1", "0", "2", "1");
        assertThat(dead.get(0).value()).isEqualTo(unknown);
        assertThat(header(dead.get(0).headers(), DeadLetters.ERROR)).contains("0123456789abcdef".substring(0, 4));
        assertThat(header(dead.get(4).headers(), DeadLetters.ERROR)).contains("SocketTransition or CollectorHeartbeat");
        assertThat(det.metrics().counterValue("finwatch_streams_dlq_records_total", "topic", det.settings().heartbeatsTopic()))
                .isEqualTo(3);
    }
}
