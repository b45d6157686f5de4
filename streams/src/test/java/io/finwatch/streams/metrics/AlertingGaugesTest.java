package io.finwatch.streams.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gauges the alert rules (docker/prometheus/finwatch-rules.yml) read, driven through the real topology: stuck
 * sockets per host and workload, silent collectors, and the detector's event lag.
 */
class AlertingGaugesTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final int FIN_TIMEOUT_S = 60;
    static final Proc KUBE_PROXY = new Proc(4242, "kube-proxy", "c0ffee");
    static final Proc ENVOY = new Proc(777, "envoy", "beef");

    @TempDir
    Path stateDir;

    private DetectorHarness det;

    @AfterEach
    void close() {
        if (det != null) {
            det.close();
        }
    }

    private DetectorHarness start(Instant at) {
        det = new DetectorHarness(StreamsSettings.defaults(), stateDir, at, StreamsConfig.AT_LEAST_ONCE);
        return det;
    }

    @Test
    void stuckSocketsAreCountedPerHostAndProcessWhileStuckAndTheSeriesGoesWithTheLast() {
        CollectorRun run = new CollectorRun("node-1", "run-1", T0, 1000, FIN_TIMEOUT_S);
        start(T0);
        Socket a = run.socket(40001);
        Socket b = run.socket(40002);
        Socket c = run.socket(40003);
        Socket early = run.socket(40004);
        det.send(run.heartbeat())
                .send(run.attached(a, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY))
                .send(run.attached(b, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY))
                .send(run.attached(c, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY))
                .send(run.attached(early, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY));
        det.liveFor(run, Duration.ofSeconds(10));
        det.send(run.at(det.wallClock()).attached(early, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, ENVOY));
        assertThat(stuck()).as("open but not yet past the fin timeout").isEmpty();

        det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S));
        assertThat(stuck()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1||kube-proxy", 2.0, "node-1||envoy", 1.0));

        det.send(run.at(det.wallClock()).attached(a, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, KUBE_PROXY));
        assertThat(stuck()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1||kube-proxy", 1.0, "node-1||envoy", 1.0));
        det.send(run.gone(c, TcpState.FIN_WAIT2));
        assertThat(stuck()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1||kube-proxy", 1.0));
        det.send(run.gone(b, TcpState.FIN_WAIT2));
        assertThat(stuck()).isEmpty();
    }

    @Test
    void aStuckOrphanWhoseOwnerWasNeverSeenHasAnEmptyWorkload() {
        CollectorRun run = new CollectorRun("node-2", "run-1", T0, 1000, FIN_TIMEOUT_S);
        start(T0);
        det.send(run.heartbeat()).send(run.orphan(run.socket(41000), TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, null, 5_000));
        det.liveFor(run, Duration.ofSeconds(20));
        assertThat(stuck()).containsExactlyInAnyOrderEntriesOf(Map.of("node-2||", 1.0));
    }

    @Test
    void stuckSocketsAreCountedAgainFromTheStoreAfterARestartAndDroppedWhenTheTaskCloses() {
        CollectorRun run = new CollectorRun("node-3", "run-1", T0, 1000, FIN_TIMEOUT_S);
        start(T0);
        det.send(run.heartbeat()).send(run.attached(run.socket(42000), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 5));
        assertThat(stuck()).containsExactlyEntriesOf(Map.of("node-3||kube-proxy", 1.0));
        det.crashAfterCommit();

        start(det.wallClock().plusSeconds(5));
        assertThat(stuck()).as("a new instance on the same state").containsExactlyEntriesOf(Map.of("node-3||kube-proxy", 1.0));
        det.close();
        assertThat(stuck()).as("after its task closed").isEmpty();
        det = null;
    }

    @Test
    void aSilentCollectorHasItsSecondsSinceLastHeardUntilItIsHeardAgain() {
        CollectorRun run = new CollectorRun("node-4", "run-1", T0, 1000, FIN_TIMEOUT_S);
        start(T0);
        det.liveFor(run, Duration.ofSeconds(3));
        Instant lastHeard = run.now().minusSeconds(1);
        det.advance(Duration.ofSeconds(4));
        assertThat(silent()).as("within silence-after (5 polls)").isEmpty();

        det.advance(Duration.ofSeconds(10));
        double expected = Duration.between(lastHeard, det.wallClock()).toMillis() / 1000.0;
        assertThat(silent()).containsOnlyKeys("node-4");
        assertThat(silent().get("node-4")).isBetween(expected - 1.0, expected);

        det.send(run.at(det.wallClock()).heartbeat());
        det.advance(Duration.ofSeconds(1));
        assertThat(silent()).isEmpty();
    }

    @Test
    void eventLagIsTheLargestLagOfTheLastIntervalAndZeroWhenNothingWaits() {
        CollectorRun run = new CollectorRun("node-5", "run-1", T0, 1000, FIN_TIMEOUT_S);
        start(T0);
        det.sendAppendedAt(run.heartbeat(), T0.minusSeconds(42));
        det.sendAppendedAt(run.heartbeat(), T0.minusSeconds(7));
        det.advance(Duration.ofSeconds(1));
        assertThat(lag()).isEqualTo(42.0);

        det.send(run.at(det.wallClock()).heartbeat());
        det.advance(Duration.ofSeconds(1));
        assertThat(lag()).isZero();
    }

    /** host|k8s_namespace|workload to value. */
    private Map<String, Double> stuck() {
        Map<String, Double> out = new TreeMap<>();
        for (Gauge g : det.metrics().registry().find(StuckSocketGauges.NAME).gauges()) {
            out.put(g.getId().getTag("host") + "|" + g.getId().getTag("k8s_namespace") + "|" + g.getId().getTag("workload"), g.value());
        }
        return out;
    }

    private Map<String, Double> silent() {
        Map<String, Double> out = new TreeMap<>();
        for (Gauge g : det.metrics().registry().find(SilentCollectorGauges.NAME).gauges()) {
            out.put(g.getId().getTag("host"), g.value());
        }
        return out;
    }

    private double lag() {
        return det.metrics().registry().get("finwatch_streams_event_lag_seconds").gauge().value();
    }
}
