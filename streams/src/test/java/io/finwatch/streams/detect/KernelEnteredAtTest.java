package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An episode starts when the kernel says the socket entered FIN_WAIT2, when the collector read that (state_since
 * KERNEL): a socket stuck for 20 s before a collector (re)started is STUCK at its true deadline, with its true dwell.
 */
class KernelEnteredAtTest extends DetectorTest {
    static final int FIN_TIMEOUT_S = 30;
    static final Proc KUBE_PROXY = new Proc(4242, "kube-proxy", "c0ffee");
    static final Duration STUCK_BEFORE_START = Duration.ofSeconds(20);

    @Test
    void aSocketStuckBeforeTheCollectorStartedCountsFromTheKernelsTime() {
        CollectorRun run = new CollectorRun("node-1", "run-2", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40001);
        det.send(run.heartbeat()).send(firstSeen(run, s, StateSinceSource.KERNEL));

        long truthLeft = FIN_TIMEOUT_S * 1000L - STUCK_BEFORE_START.toMillis();
        assertThat(det.liveFor(run, Duration.ofMillis(truthLeft - 1000))).isEmpty();
        List<FinWait2Anomaly> out = det.liveFor(run, Duration.ofSeconds(5));

        assertThat(out).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getEnteredAt()).isEqualTo(T0.minus(STUCK_BEFORE_START));
            assertThat(a.getDeadline()).isEqualTo(T0.minus(STUCK_BEFORE_START).plusSeconds(FIN_TIMEOUT_S));
            assertThat(a.getDetectedAt()).isBetween(a.getDeadline(), a.getDeadline().plusSeconds(1));
            assertThat(a.getDwellMs()).isEqualTo(a.getDetectedAt().toEpochMilli() - a.getEnteredAt().toEpochMilli());
            assertThat(a.getEnteredAtSource()).isEqualTo(StateSinceSource.KERNEL);
            assertThat(a.getReapAt()).as("attached: the kernel never reaps it").isNull();
        });
    }

    @Test
    void anObservedTimeIsTheFirstPollAsBefore() {
        CollectorRun run = new CollectorRun("node-1", "run-2", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40002);
        det.send(run.heartbeat()).send(firstSeen(run, s, StateSinceSource.OBSERVED));

        assertThat(det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S - 1))).isEmpty();
        assertThat(det.liveFor(run, Duration.ofSeconds(5))).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getEnteredAt()).isEqualTo(T0);
            assertThat(a.getEnteredAtSource()).isEqualTo(StateSinceSource.OBSERVED);
        });
    }

    @Test
    void anEpisodeFirstSeenByAPollMovesToTheKernelsEarlierTimeWhenALaterReportBringsIt() {
        CollectorRun run = new CollectorRun("node-1", "run-2", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40004);
        det.send(run.heartbeat()).send(firstSeen(run, s, StateSinceSource.OBSERVED));
        assertThat(det.liveFor(run, Duration.ofSeconds(2))).isEmpty();

        // The next poll could read tcp_info (the socket stopped its keepalives): in FIN_WAIT2 for 20 s before T0.
        SocketTransition again = run.at(det.wallClock()).attached(s, null, TcpState.FIN_WAIT2, KUBE_PROXY);
        again.setStateSinceSource(StateSinceSource.KERNEL);
        again.setStateSinceMs(T0.minus(STUCK_BEFORE_START).toEpochMilli());
        det.send(again);

        long truthLeft = FIN_TIMEOUT_S * 1000L - STUCK_BEFORE_START.toMillis() - 2000;
        assertThat(det.liveFor(run, Duration.ofMillis(truthLeft - 1000))).isEmpty();
        assertThat(det.liveFor(run, Duration.ofSeconds(3))).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getEnteredAt()).isEqualTo(T0.minus(STUCK_BEFORE_START));
            assertThat(a.getEnteredAtSource()).isEqualTo(StateSinceSource.KERNEL);
            assertThat(a.getDeadline()).isEqualTo(T0.minus(STUCK_BEFORE_START).plusSeconds(FIN_TIMEOUT_S));
        });

        // Once STUCK was told, a still earlier time changes nothing: its id and dwell were told from this one.
        SocketTransition later = run.at(det.wallClock()).attached(s, null, TcpState.FIN_WAIT2, KUBE_PROXY);
        later.setStateSinceSource(StateSinceSource.KERNEL);
        later.setStateSinceMs(T0.minusSeconds(25).toEpochMilli());
        det.send(later).send(run.at(det.wallClock()).attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, KUBE_PROXY));
        assertThat(det.anomalies()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getEnteredAt()).isEqualTo(T0.minus(STUCK_BEFORE_START));
        });
    }

    @Test
    void anOrphansAnomalyCarriesTheKernelsReapTime() {
        CollectorRun run = new CollectorRun("node-1", "run-1", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40005);
        SocketTransition t = run.orphan(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, KUBE_PROXY, 30_000);
        t.setReapAtMs(t.getReapDeadline().toEpochMilli());
        det.send(run.heartbeat()).send(t);

        // Not reaped by its time: ORPHAN_NOT_REAPED, saying when the kernel's timer should have fired.
        assertThat(det.liveFor(run, Duration.ofSeconds(35))).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getOrphaned()).isTrue();
            assertThat(a.getReapAt()).isEqualTo(T0.plusSeconds(30));
        });
    }

    @Test
    void theStuckOfAnAttachedSocketWithItsSendSideShutCarriesThatProofAndItsQueues() {
        CollectorRun run = new CollectorRun("node-1", "run-1", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40003);
        SocketTransition t = run.attached(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, KUBE_PROXY);
        t.setShutdown(ShutdownFlags.WR);
        t.setRecvQ(7L);
        t.setSendQ(0L);
        det.send(run.heartbeat()).send(t);

        assertThat(det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 2))).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.STUCK);
            assertThat(a.getOrphaned()).isFalse();
            assertThat(a.getShutdown()).isEqualTo(ShutdownFlags.WR);
            assertThat(a.getRecvQ()).isEqualTo(7L);
            assertThat(a.getSendQ()).isZero();
        });
        // The episode kept them in its store through the restart-safe record, and RESOLVED says them again.
        det.send(run.attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, KUBE_PROXY));
        assertThat(det.anomalies()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getShutdown()).isEqualTo(ShutdownFlags.WR);
            assertThat(a.getRecvQ()).isEqualTo(7L);
        });
    }

    /** The restarted collector's first poll: the socket first seen, in FIN_WAIT2 since 20 s by the kernel. */
    private static SocketTransition firstSeen(CollectorRun run, Socket s, StateSinceSource source) {
        SocketTransition t = run.attached(s, null, TcpState.FIN_WAIT2, KUBE_PROXY);
        t.setStateSinceSource(source);
        t.setStateSinceMs(source == StateSinceSource.KERNEL ? T0.minus(STUCK_BEFORE_START).toEpochMilli()
                : T0.toEpochMilli());
        return t;
    }
}
