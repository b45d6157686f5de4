package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StuckDetectionTest extends DetectorTest {

    static final int FIN_TIMEOUT_S = 60;
    static final Proc KUBE_PROXY = new Proc(4242, "kube-proxy", "c0ffee");

    CollectorRun run;

    @BeforeEach
    void start() {
        run = new CollectorRun("node-1", "run-1", T0, 1000, FIN_TIMEOUT_S);
    }

    List<FinWait2Anomaly> liveFor(Duration d) {
        return det.liveFor(run, d);
    }

    @Test
    void attachedSocketPastFinTimeoutIsStuckExactlyOnceNamingItsProcess() {
        Socket s = run.socket(40001);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, KUBE_PROXY));

        assertThat(liveFor(Duration.ofSeconds(FIN_TIMEOUT_S - 1))).isEmpty();
        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(90));

        assertThat(out).hasSize(1);
        FinWait2Anomaly a = out.get(0);
        assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
        assertThat(a.getReason()).isEqualTo(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT);
        assertThat(a.getPid()).isEqualTo(KUBE_PROXY.pid());
        assertThat(a.getComm()).isEqualTo("kube-proxy");
        assertThat(a.getContainerId()).isEqualTo("c0ffee");
        assertThat(a.getOrphaned()).isFalse();
        assertThat(a.getLocalPort()).isEqualTo(40001);
        assertThat(a.getEnteredAt()).isEqualTo(T0);
        assertThat(a.getDeadline()).isEqualTo(T0.plusSeconds(FIN_TIMEOUT_S));
        assertThat(a.getDetectedAt()).isBetween(T0.plusSeconds(FIN_TIMEOUT_S), T0.plusSeconds(FIN_TIMEOUT_S + 1));
        assertThat(a.getDwellMs()).isEqualTo(a.getDetectedAt().toEpochMilli() - T0.toEpochMilli());
        assertThat(a.getFinTimeoutS()).isEqualTo(FIN_TIMEOUT_S);
        assertThat(a.getCollectorId()).isEqualTo("run-1");
        assertThat(det.metrics().counterValue("finwatch_streams_anomalies_total", "kind", "STUCK", "reason", "ATTACHED_PAST_FIN_TIMEOUT"))
                .isEqualTo(1);
    }

    @Test
    void orphanReapedOnTimeIsNeverStuck() {
        Socket s = orphanOf30s(40002);
        assertThat(liveFor(Duration.ofMillis(30_000))).isEmpty();
        // The kernel reaped it at its deadline; the collector's next poll sees it gone.
        det.advance(Duration.ofMillis(500));
        det.send(run.at(det.wallClock()).gone(s, TcpState.FIN_WAIT2));

        assertThat(liveFor(Duration.ofSeconds(120))).isEmpty();
    }

    @Test
    void orphanOutlivingReapDeadlinePlusGraceIsNotReaped() {
        Socket s = orphanOf30s(40003);
        long graceMs = det.settings().graceMs(1000);

        assertThat(liveFor(Duration.ofMillis(30_000 + graceMs - 1000))).isEmpty();
        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(60));

        assertThat(out).singleElement().satisfies(a -> {
            assertNotReapedAtItsDeadline(a, graceMs);
            assertThat(a.getOrphaned()).isTrue();
            assertThat(a.getPid()).as("an orphan names the process that abandoned it").isEqualTo(KUBE_PROXY.pid());
        });
    }

    @Test
    void anOrphanWhoseGoneTheDetectorHasStillToReadIsNeverStuck() {
        Socket s = orphanOf30s(40010);
        assertThat(liveFor(Duration.ofMillis(30_000))).isEmpty();
        Instant reaped = det.wallClock().plusMillis(500);

        // The detector falls behind (a busy host): its clock passes the deadline plus grace, the collector's polls
        // from then on are not read yet, and the host is still heard recently enough to be judged.
        det.advance(Duration.ofSeconds(5));
        assertThat(det.anomalies()).isEmpty();

        // The backlog: the kernel reaped it on time.
        det.send(run.at(reaped).gone(s, TcpState.FIN_WAIT2));
        for (int i = 1; i <= 5; i++) {
            det.send(run.at(reaped.plusSeconds(i)).heartbeat());
        }
        assertThat(det.anomalies()).isEmpty();
        assertThat(liveFor(Duration.ofSeconds(60))).isEmpty();
    }

    @Test
    void anOrphanNotReapedIsStuckOnceTheDetectorHasReadAPollFromAfterItsDeadline() {
        Socket s = orphanOf30s(40011);
        long graceMs = det.settings().graceMs(1000);
        assertThat(liveFor(Duration.ofMillis(30_000))).isEmpty();
        Instant behind = det.wallClock();

        det.advance(Duration.ofSeconds(5));
        assertThat(det.anomalies()).as("no poll past the deadline read yet").isEmpty();

        for (int i = 1; i <= 5; i++) {
            det.send(run.at(behind.plusSeconds(i)).heartbeat());
        }
        det.advance(Duration.ofSeconds(1));
        assertThat(det.anomalies()).singleElement().satisfies(a -> assertNotReapedAtItsDeadline(a, graceMs));
    }

    /** A socket kube-proxy closed in FIN_WAIT2 at T0, which the kernel reaps 30 s later unless it is stuck. */
    private Socket orphanOf30s(int port) {
        Socket s = run.socket(port);
        det.send(run.heartbeat()).send(run.orphan(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, KUBE_PROXY, 30_000));
        return s;
    }

    /** The STUCK of {@link #orphanOf30s}. */
    private static void assertNotReapedAtItsDeadline(FinWait2Anomaly a, long graceMs) {
        assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
        assertThat(a.getReason()).isEqualTo(AnomalyReason.ORPHAN_NOT_REAPED);
        assertThat(a.getDeadline()).isEqualTo(T0.plusMillis(30_000 + graceMs));
    }

    @Test
    void stuckSocketThatLeavesFinWait2IsResolvedWithItsDwell() {
        Socket s = run.socket(40004);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        assertThat(liveFor(Duration.ofSeconds(75))).extracting(FinWait2Anomaly::getKind).containsExactly(AnomalyKind.STUCK);

        det.send(run.attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, KUBE_PROXY));

        assertThat(det.anomalies()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.LEFT_FIN_WAIT2);
            assertThat(a.getToState()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(a.getDwellMs()).isEqualTo(75_000);
            assertThat(a.getEnteredAt()).isEqualTo(T0);
            assertThat(a.getPid()).isEqualTo(KUBE_PROXY.pid());
        });
        assertThat(liveFor(Duration.ofSeconds(120))).isEmpty();
    }

    @Test
    void stuckSocketThatDisappearsIsResolvedAsGone() {
        Socket s = run.socket(40005);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        assertThat(liveFor(Duration.ofSeconds(64))).hasSize(1);

        det.send(run.gone(s, TcpState.FIN_WAIT2));

        assertThat(det.anomalies()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.CONNECTION_GONE);
            assertThat(a.getToState()).isEqualTo(TcpState.GONE);
            assertThat(a.getDwellMs()).isEqualTo(64_000);
        });
    }

    @Test
    void socketLeavingBeforeItsDeadlineRaisesNothing() {
        Socket s = run.socket(40006);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        assertThat(liveFor(Duration.ofSeconds(30))).isEmpty();

        det.send(run.attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, KUBE_PROXY));
        det.send(run.gone(s, TcpState.TIME_WAIT));

        assertThat(liveFor(Duration.ofSeconds(120))).isEmpty();
    }

    @Test
    void attachedSocketOrphanedInFinWait2MovesItsDeadlineToTheReapDeadline() {
        Socket s = run.socket(40007);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        liveFor(Duration.ofSeconds(20));
        // close() at 20 s: the kernel now reaps it 50 s later, past the attached deadline of 60 s.
        det.send(run.orphan(s, TcpState.FIN_WAIT2, TcpState.FIN_WAIT2, KUBE_PROXY, 50_000));
        long fireAt = 20_000 + 50_000 + det.settings().graceMs(1000);

        assertThat(liveFor(Duration.ofMillis(fireAt - 20_000 - 1000))).as("no attached STUCK at 60 s").isEmpty();
        assertThat(liveFor(Duration.ofSeconds(5))).singleElement().satisfies(a -> {
            assertThat(a.getReason()).isEqualTo(AnomalyReason.ORPHAN_NOT_REAPED);
            assertThat(a.getDeadline()).isEqualTo(T0.plusMillis(fireAt));
            assertThat(a.getPid()).isEqualTo(KUBE_PROXY.pid());
            assertThat(a.getEnteredAt()).isEqualTo(T0);
        });
    }

    @Test
    void exitSeenWellPastTheDeadlineWithoutAPunctuationInBetweenIsStuckThenResolved() {
        Socket s = run.socket(40008);
        det.send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        // A backlog: the exit 100 s later is processed before the wall clock moved at all.
        det.send(run.at(T0.plusSeconds(100)).gone(s, TcpState.FIN_WAIT2));

        List<FinWait2Anomaly> out = det.anomalies();
        assertThat(out).extracting(FinWait2Anomaly::getKind).containsExactly(AnomalyKind.STUCK, AnomalyKind.RESOLVED);
        assertThat(out.get(0).getReason()).isEqualTo(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT);
        assertThat(out.get(1).getDwellMs()).isEqualTo(100_000);
        assertThat(out.get(0).getAnomalyId()).isEqualTo(Anomalies.socketAnomalyId(ConnectionKey.of(run.gone(s, TcpState.FIN_WAIT2)), T0.toEpochMilli(),
                AnomalyKind.STUCK));
    }

    @Test
    void aStateThisBuildDoesNotKnowEndsTheEpisodeWithoutWritingUnknown() {
        Socket s = run.socket(40009);
        det.send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY));
        // A newer collector reports a state added after this build: it reads as UNKNOWN.
        det.send(run.at(T0.plusSeconds(100)).attached(s, TcpState.FIN_WAIT2, TcpState.UNKNOWN, KUBE_PROXY));

        List<FinWait2Anomaly> out = det.anomalies();
        assertThat(out).extracting(FinWait2Anomaly::getKind).containsExactly(AnomalyKind.STUCK, AnomalyKind.RESOLVED);
        assertThat(out.get(1).getReason()).isEqualTo(AnomalyReason.LEFT_FIN_WAIT2);
        assertThat(out.get(1).getToState()).isNull();
    }
}
