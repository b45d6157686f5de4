package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecentAnomaliesTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;

    static List<FinWait2Anomaly> stored(DetectorHarness det, String host) {
        KeyValueStore<String, byte[]> store = det.keyValueStore(StoreNames.RECENT_ANOMALIES);
        List<FinWait2Anomaly> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.prefixScan(StoreKeys.hostPrefix(host), new StringSerializer())) {
            it.forEachRemaining(kv -> out.add(FinwatchSerde.shared().decode(kv.value, FinWait2Anomaly.class)));
        }
        return out;
    }

    @Test
    void keepsTheNewestAnomaliesPerHostUpToTheBoundAndForgetsOldOnes() {
        StreamsSettings settings = StreamsSettings.builder().recentAnomalies(3, Duration.ofHours(1)).build();
        try (DetectorHarness det = new DetectorHarness(settings, stateDir, T0)) {
            CollectorRun a = new CollectorRun("node-a", "run-a", T0, 1000, 60);
            CollectorRun b = new CollectorRun("node-b", "run-b", T0, 1000, 60);
            Proc p = new Proc(7, "leaky", null);
            // Five episodes on node-a, stuck and resolved in order (exits seen long after the deadline): ten anomalies.
            for (int i = 0; i < 5; i++) {
                Instant entered = T0.plusSeconds(10L * i);
                det.send(a.at(entered).attached(a.socket(48000 + i), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
                det.send(a.at(entered.plusSeconds(100)).gone(a.socket(48000 + i), TcpState.FIN_WAIT2));
            }
            det.send(b.attached(b.socket(49000), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
            det.send(b.at(T0.plusSeconds(100)).gone(b.socket(49000), TcpState.FIN_WAIT2));
            List<FinWait2Anomaly> emitted = det.anomalies();
            assertThat(emitted).hasSize(12);

            // Kept: the newest three by detection time: both of the last episode (140 s) and one of the fourth (130 s).
            List<FinWait2Anomaly> onA = stored(det, "node-a");
            assertThat(onA).hasSize(3);
            assertThat(onA).extracting(FinWait2Anomaly::getDetectedAt).isSorted()
                    .containsExactly(T0.plusSeconds(130), T0.plusSeconds(140), T0.plusSeconds(140));
            assertThat(onA).extracting(FinWait2Anomaly::getAnomalyId).containsAll(emitted.stream()
                    .filter(x -> x.getDetectedAt().equals(T0.plusSeconds(140)) && x.getHost().equals("node-a"))
                    .map(FinWait2Anomaly::getAnomalyId).toList());
            assertThat(stored(det, "node-b")).as("another host's bound is its own").hasSize(2);

            // The newest was detected at T0 + 140 s; an hour and ten minutes of wall clock later all are past retention.
            det.advance(Duration.ofMinutes(75));
            assertThat(stored(det, "node-a")).isEmpty();
            assertThat(stored(det, "node-b")).isEmpty();
        }
    }

    /** An episode of {@code owner} on {@code run}'s host: STUCK and RESOLVED, both detected when the exit is seen. */
    static void stuckAndResolved(DetectorHarness det, CollectorRun run, int port, Proc owner, Instant entered) {
        det.send(run.at(entered).attached(run.socket(port), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, owner));
        det.send(run.at(entered.plusSeconds(100)).gone(run.socket(port), TcpState.FIN_WAIT2));
    }

    @Test
    void aFloodingProcessPushesOutItsOwnHistoryNotAnotherProcesssStuckAlsoAfterARestart() {
        StreamsSettings settings = StreamsSettings.builder().recentAnomalies(4, Duration.ofHours(1)).build();
        CollectorRun a = new CollectorRun("node-a", "run-a", T0, 1000, 60);
        Proc quiet = new Proc(8, "quiet", null);
        Proc leaky = new Proc(7, "leaky", null);
        // Not closed: the test driver deletes its state directory on close, and the restart below reads it.
        DetectorHarness det = new DetectorHarness(settings, stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        stuckAndResolved(det, a, 47000, quiet, T0);
        for (int i = 1; i <= 5; i++) {
            stuckAndResolved(det, a, 48000 + i, leaky, T0.plusSeconds(10L * i));
        }
        assertThat(det.anomalies()).hasSize(12);

        // The newest four would all be leaky's. Kept: quiet's two (the oldest of the host) and leaky's newest two.
        List<FinWait2Anomaly> kept = stored(det, "node-a");
        assertThat(kept).extracting(FinWait2Anomaly::getLocalPort).containsExactly(47000, 47000, 48005, 48005);
        det.crashAfterCommit();
        // After a restart the owners' counts come from the store: leaky's next anomaly again pushes out leaky's oldest.
        try (DetectorHarness after = new DetectorHarness(settings, stateDir, T0.plusSeconds(200), StreamsConfig.AT_LEAST_ONCE)) {
            after.send(a.at(T0.plusSeconds(200)).heartbeat());
            stuckAndResolved(after, a, 48006, leaky, T0.plusSeconds(210));
            assertThat(stored(after, "node-a")).extracting(FinWait2Anomaly::getLocalPort).containsExactly(47000, 47000, 48006, 48006);
        }
    }
}
