package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CollectorSilenceTest extends DetectorTest {

    static final Proc APP = new Proc(900, "envoy", null);

    CollectorRun run;

    @BeforeEach
    void start() {
        run = new CollectorRun("node-3", "run-1", T0, 1000, 60);
    }

    List<FinWait2Anomaly> quietFor(Duration d) {
        List<FinWait2Anomaly> out = new ArrayList<>();
        Instant end = det.wallClock().plus(d);
        while (det.wallClock().isBefore(end)) {
            det.advance(Duration.ofSeconds(1));
            out.addAll(det.anomalies());
        }
        return out;
    }

    HostSummary summary() {
        return det.<String, HostSummary>keyValueStore(StoreNames.HOSTS).get("node-3");
    }

    @Test
    void heartbeatSummaryIsKeptPerHost() {
        det.send(run.heartbeat(Map.of("ESTABLISHED", 120L, "FIN_WAIT2", 3L, "LISTEN", 4L), 2, 1));

        HostSummary h = summary();
        assertThat(h.collectorId()).isEqualTo("run-1");
        assertThat(h.lastHeardAt()).isEqualTo(T0.toEpochMilli());
        assertThat(h.intervalMs()).isEqualTo(1000);
        assertThat(h.stateCounts()).containsEntry("FIN_WAIT2", 3L).containsEntry("ESTABLISHED", 120L).hasSize(3);
        assertThat(h.finWait2Attached()).isEqualTo(2);
        assertThat(h.finWait2Orphaned()).isEqualTo(1);
        assertThat(h.namespaces()).singleElement().satisfies(ns -> {
            assertThat(ns.netns()).isEqualTo(CollectorRun.NETNS);
            assertThat(ns.finTimeoutS()).isEqualTo(60);
            assertThat(ns.finTimeoutSource()).isEqualTo("NAMESPACE");
        });
        assertThat(h.silent()).isFalse();
    }

    @Test
    void aCollectorOfAnEarlierReleaseIsHeardOnTheHeartbeatsTopic() {
        det.send(run.heartbeat(Map.of("ESTABLISHED", 7L), 0, 0));
        det.sendOnHeartbeatsTopic(run.at(T0.plusSeconds(1)).heartbeat(Map.of("ESTABLISHED", 8L), 0, 0));

        assertThat(summary().lastHeardAt()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
        assertThat(summary().stateCounts()).containsEntry("ESTABLISHED", 8L);
        assertThat(det.deadLetters()).isEmpty();
    }

    @Test
    void aLateOlderHeartbeatNeverMovesLastHeardBack() {
        CollectorRun old = new CollectorRun("node-3", "run-0", T0.minusSeconds(3), 1000, 60);
        det.send(run.at(T0.plusSeconds(5)).heartbeat(Map.of("ESTABLISHED", 7L), 0, 0));
        // A previous collector run's buffered heartbeat, observed earlier, arrives afterwards.
        det.send(old.heartbeat(Map.of("ESTABLISHED", 99L), 0, 0));

        HostSummary h = summary();
        assertThat(h.lastHeardAt()).isEqualTo(T0.plusSeconds(5).toEpochMilli());
        assertThat(h.collectorId()).isEqualTo("run-1");
        assertThat(h.stateCounts()).containsEntry("ESTABLISHED", 7L);
    }

    @Test
    void silentCollectorIsReportedOnceAndItsDeadlinesWaitUntilItIsHeardAgain() {
        det.send(run.heartbeat()).send(run.attached(run.socket(42000), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP));
        long silenceMs = det.settings().silenceAfterMs(1000);

        List<FinWait2Anomaly> quiet = quietFor(Duration.ofSeconds(120));

        assertThat(quiet).as("one silence, and no STUCK while nobody watches the host").singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.COLLECTOR_SILENT);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.HEARTBEATS_STOPPED);
            assertThat(a.getLastHeardAt()).isEqualTo(T0);
            assertThat(a.getCollectorId()).isEqualTo("run-1");
            assertThat(a.getDetectedAt()).isBetween(T0.plusMillis(silenceMs), T0.plusMillis(silenceMs + 1000));
            assertThat(a.getNetns()).isNull();
        });
        assertThat(summary().silent()).isTrue();

        // Heard again: the socket that came due at 60 s is reported at the next punctuation.
        det.send(run.at(det.wallClock()).heartbeat());
        assertThat(summary().silent()).isFalse();
        List<FinWait2Anomaly> resumed = quietFor(Duration.ofSeconds(1));
        assertThat(resumed).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT);
            assertThat(a.getDeadline()).isEqualTo(T0.plusSeconds(60));
        });
    }

    @Test
    void backlogHeartbeatThatIsNotFreshDoesNotEndTheSilence() {
        det.send(run.heartbeat());
        assertThat(quietFor(Duration.ofSeconds(30))).hasSize(1);

        // The collector's buffer drains: a heartbeat from 20 s ago is not proof of life now.
        det.send(run.at(det.wallClock().minusSeconds(20)).heartbeat());

        assertThat(summary().silent()).isTrue();
        assertThat(summary().lastHeardAt()).isEqualTo(det.wallClock().minusSeconds(20).toEpochMilli());
        assertThat(quietFor(Duration.ofSeconds(30))).isEmpty();
    }
}
