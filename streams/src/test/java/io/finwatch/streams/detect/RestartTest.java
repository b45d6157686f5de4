package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deadlines live in a store, not in punctuation schedules: an instance that stops and comes back on the
 * same state directory still fires what came due while it was away, once, and only once the collector is
 * heard (the first fresh heartbeat after the restart).
 *
 * <p>At-least-once here because the test driver cannot restore a changelog (see {@link DetectorHarness});
 * the exactly-once restart, state restored from the changelog after kill -9, is {@code CrashRecoveryTest}'s.
 */
class RestartTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Proc HAPROXY = new Proc(31337, "haproxy", null);

    @TempDir
    Path stateDir;

    @Test
    void overdueEntriesFireAfterARestartOnTheSameState() {
        CollectorRun run = new CollectorRun("node-6", "run-1", T0, 1000, 60);
        Socket early = run.socket(47000);
        Socket late = run.socket(47001);
        Socket orphan = run.socket(47002);

        DetectorHarness first = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        first.send(run.heartbeat());
        first.send(run.attached(early, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, HAPROXY));
        first.send(run.orphan(orphan, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, HAPROXY, 20_000));
        first.send(run.at(T0.plusSeconds(30)).attached(late, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, HAPROXY));
        first.advance(Duration.ofSeconds(10));
        assertThat(first.anomalies()).isEmpty();
        first.crashAfterCommit();

        // Down from 10 s to 5 minutes: all three deadlines (60 s, 90 s, 20 s + grace) pass meanwhile.
        DetectorHarness second = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0.plusSeconds(300), StreamsConfig.AT_LEAST_ONCE);
        try {
            second.advance(Duration.ofSeconds(2));
            assertThat(second.anomalies()).as("not before the collector is heard again").isEmpty();

            // Heard again, a heartbeat a poll: the orphan is judged once a poll from after its deadline is read.
            List<FinWait2Anomaly> out = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                second.send(run.at(second.wallClock()).heartbeat());
                second.advance(Duration.ofSeconds(1));
                out.addAll(second.anomalies());
            }

            assertThat(out).allSatisfy(a -> assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK));
            assertThat(out).extracting(FinWait2Anomaly::getLocalPort).containsExactlyInAnyOrder(47000, 47001, 47002);
            assertThat(out).filteredOn(a -> a.getLocalPort() == 47002).singleElement()
                    .satisfies(a -> assertThat(a.getReason()).isEqualTo(AnomalyReason.ORPHAN_NOT_REAPED));
            assertThat(out).filteredOn(a -> a.getLocalPort() == 47001).singleElement()
                    .satisfies(a -> assertThat(a.getEnteredAt()).isEqualTo(T0.plusSeconds(30)));
        } finally {
            second.close();
        }
    }
}
