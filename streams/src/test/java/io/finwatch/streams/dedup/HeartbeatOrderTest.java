package io.finwatch.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.detect.HostSummary;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import io.finwatch.streams.testkit.DetectorTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats and transitions come on two topics, and the detector does not idle for the slower one: a heartbeat read
 * before the transitions its collector numbered below it waits for them ({@link HeartbeatGate}), so a catch-up that
 * reads the heartbeats ahead decides nothing on a poll it has not seen yet.
 */
class HeartbeatOrderTest extends DetectorTest {

    static final int FIN_TIMEOUT_S = 60;
    static final Proc APP = new Proc(4242, "app", null);

    HostSummary summary() {
        return det.<String, HostSummary>keyValueStore(StoreNames.HOSTS).get("node-1");
    }

    /**
     * A restarted collector's first poll re-reports the one socket still there; its heartbeat (which marks the full
     * table) and the next one are read first. Taken at once, they would end every episode the table "left out",
     * the one still there included, and its re-report would start it over as a new episode, STUCK a second time.
     */
    @Test
    void aRestartedRunsHeartbeatsReadBeforeItsFullTableWaitForIt() {
        CollectorRun first = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S).epoch(1);
        Socket vanished = first.socket(40001);
        Socket stillThere = first.socket(40003);
        det.send(first.heartbeat())
                .send(first.attached(vanished, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP))
                .send(first.attached(stillThere, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        assertThat(det.liveFor(first, Duration.ofSeconds(FIN_TIMEOUT_S + 5)))
                .extracting(FinWait2Anomaly::getKind).containsOnly(AnomalyKind.STUCK).hasSize(2);

        det.advance(Duration.ofSeconds(10));
        CollectorRun second = new CollectorRun("node-1", "node-1-c1", det.wallClock(), 1000, FIN_TIMEOUT_S).epoch(2)
                .seqFrom(first.lastSeq() + 1);
        SocketTransition reReported = second.attached(stillThere, null, TcpState.FIN_WAIT2, APP);
        CollectorHeartbeat marked = second.heartbeatAfterFullTable(reReported.getSeq());
        CollectorHeartbeat next = second.at(det.wallClock().plusSeconds(1)).heartbeat();
        det.send(marked).send(next);
        assertThat(summary().lastSeq()).as("both wait for the table").isLessThan(marked.getSeq());
        det.send(reReported);
        assertThat(summary().lastSeq()).isEqualTo(next.getSeq());

        List<FinWait2Anomaly> after = det.liveFor(second, Duration.ofSeconds(FIN_TIMEOUT_S + 10));
        assertThat(after).filteredOn(a -> Integer.valueOf(40001).equals(a.getLocalPort())).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.CONNECTION_GONE);
        });
        assertThat(after).as("still there and already STUCK: nothing new").filteredOn(a -> Integer.valueOf(40003).equals(a.getLocalPort()))
                .isEmpty();
    }

    /** A new run's heartbeat read first says nothing of the old run's last transitions: those come on the other topic. */
    @Test
    void aNewRunsHeartbeatDoesNotLetTheOldRunsWaitingOnesThrough() {
        CollectorRun first = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S).epoch(1);
        det.send(first.heartbeat());
        SocketTransition lastOfFirst = first.at(T0.plusSeconds(1)).attached(first.socket(40001), TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP);
        CollectorHeartbeat closingFirst = first.heartbeat();
        CollectorRun second = new CollectorRun("node-1", "node-1-c1", T0.plusSeconds(2), 1000, FIN_TIMEOUT_S).epoch(2)
                .seqFrom(first.lastSeq() + 1);
        SocketTransition firstOfSecond = second.attached(second.socket(40002), null, TcpState.FIN_WAIT2, APP);
        CollectorHeartbeat openingSecond = second.heartbeatAfterFullTable(firstOfSecond.getSeq());
        long before = summary().lastSeq();

        det.send(closingFirst).send(openingSecond);
        assertThat(summary().lastSeq()).isEqualTo(before);
        det.send(lastOfFirst);
        assertThat(summary().lastSeq()).isEqualTo(closingFirst.getSeq());
        det.send(firstOfSecond);
        assertThat(summary().lastSeq()).isEqualTo(openingSecond.getSeq());
    }

    @Test
    void aHeartbeatWhoseTransitionsNeverComeIsTakenAfterItsLongestWait() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S).epoch(1);
        det.send(run.heartbeat()).send(run.attached(run.socket(40001), TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        // Two numbers vanish in transit, undeclared.
        run.seqFrom(run.lastSeq() + 3);
        CollectorHeartbeat hb = run.at(T0.plusSeconds(1)).heartbeat();
        det.send(hb);
        assertThat(summary().lastHeardAt()).isEqualTo(T0.toEpochMilli());

        det.advance(Duration.ofMillis(HeartbeatGate.HOLD_MAX_MS + 1_000));

        assertThat(summary().lastHeardAt()).isEqualTo(T0.plusSeconds(1).toEpochMilli());
        assertThat(det.metrics().counterValue("finwatch_streams_heartbeats_unordered_total")).isEqualTo(1.0);
    }

    @Test
    void numbersDeclaredShedOrHeartbeatsBeforeItKeepNobodyWaiting() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S).epoch(1);
        det.send(run.heartbeat()).send(run.attached(run.socket(40001), TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        long firstShed = run.lastSeq() + 1;
        run.seqFrom(firstShed + 2);
        CollectorHeartbeat shed = run.at(T0.plusSeconds(1)).heartbeat();
        shed.setShedEvents(2);
        shed.setShedRanges(List.of(new SeqRange(firstShed, firstShed + 1)));
        det.send(shed);
        assertThat(summary().lastSeq()).isEqualTo(shed.getSeq());
        // A quiet poll: nothing between two heartbeats.
        CollectorHeartbeat quiet = run.at(T0.plusSeconds(2)).heartbeat();
        det.send(quiet);
        assertThat(summary().lastSeq()).isEqualTo(quiet.getSeq());
        assertThat(det.metrics().counterValue("finwatch_streams_heartbeats_unordered_total")).isZero();
    }

    /**
     * The dedup mark took the held heartbeat's seq at the commit, so the held heartbeat itself must be kept with it.
     * At-least-once, as the other restarts on the test driver (it cannot restore a changelog; see DetectorHarness).
     */
    @Test
    void aHeartbeatHeldAtACommitOutlivesACrash() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S).epoch(1);
        Path dir = stateDir.resolve("crash");
        DetectorHarness first = new DetectorHarness(StreamsSettings.defaults(), dir, T0, StreamsConfig.AT_LEAST_ONCE);
        first.send(run.heartbeat());
        SocketTransition late = run.attached(run.socket(40001), TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP);
        CollectorHeartbeat held = run.at(T0.plusSeconds(1)).heartbeat();
        first.send(held);
        assertThat(first.<String, HostSummary>keyValueStore(StoreNames.HOSTS).get("node-1").lastSeq()).isLessThan(held.getSeq());
        first.crashAfterCommit();

        DetectorHarness second = new DetectorHarness(StreamsSettings.defaults(), dir, T0.plusSeconds(1), StreamsConfig.AT_LEAST_ONCE);
        try {
            second.send(late);
            assertThat(second.<String, HostSummary>keyValueStore(StoreNames.HOSTS).get("node-1").lastSeq()).isEqualTo(held.getSeq());
            assertThat(second.metrics().counterValue("finwatch_streams_heartbeats_unordered_total")).isZero();
        } finally {
            second.close();
        }
    }
}
