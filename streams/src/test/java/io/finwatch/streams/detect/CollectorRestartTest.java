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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A collector that restarts re-reports every socket it still sees as first seen; a FIN_WAIT2 socket that vanished
 * while it was down gets no GONE. Its episode must end (RESOLVED if it was STUCK) instead of turning into a false
 * STUCK later, while the re-reported ones carry on untouched.
 */
class CollectorRestartTest extends DetectorTest {
    static final int FIN_TIMEOUT_S = 60;
    static final Proc APP = new Proc(4242, "app", null);


    @Test
    void episodesTheRestartedCollectorDidNotReReportEndAndTheOthersCarryOn() {
        CollectorRun first = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S);
        Socket stuckThenVanished = first.socket(40001);
        Socket vanishedEarly = first.socket(40002);
        Socket stillThere = first.socket(40003);
        det.send(first.heartbeat())
                .send(first.attached(stuckThenVanished, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP))
                .send(first.attached(stillThere, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        List<FinWait2Anomaly> before = det.liveFor(first, Duration.ofSeconds(FIN_TIMEOUT_S + 5));
        assertThat(before).extracting(FinWait2Anomaly::getKind).containsOnly(AnomalyKind.STUCK).hasSize(2);
        det.send(first.attached(vanishedEarly, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));

        // The collector restarts 10 s later, numbering on; of the three, it still sees only one.
        det.advance(Duration.ofSeconds(10));
        CollectorRun second = new CollectorRun("node-1", "node-1-c1", det.wallClock(), 1000, FIN_TIMEOUT_S)
                .seqFrom(first.lastSeq() + 1);
        det.send(second.attached(stillThere, null, TcpState.FIN_WAIT2, APP)).send(second.heartbeatAfterFirstPoll(1));
        List<FinWait2Anomaly> after = det.liveFor(second, Duration.ofSeconds(FIN_TIMEOUT_S + 10));

        assertThat(after).filteredOn(a -> Integer.valueOf(40001).equals(a.getLocalPort())).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.CONNECTION_GONE);
        });
        // Never STUCK: it was not re-reported, so it is over, not overdue.
        assertThat(after).filteredOn(a -> Integer.valueOf(40002).equals(a.getLocalPort())).isEmpty();
        // Still there and already STUCK: nothing new, in particular no RESOLVED.
        assertThat(after).filteredOn(a -> Integer.valueOf(40003).equals(a.getLocalPort())).isEmpty();
    }

    @Test
    void aCollectorThatKeepsRunningEndsNothing() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S);
        Socket s = run.socket(40001);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        List<FinWait2Anomaly> out = det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 30));
        assertThat(out).singleElement().extracting(FinWait2Anomaly::getKind).isEqualTo(AnomalyKind.STUCK);
    }
}
