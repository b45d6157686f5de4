package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * A collector that restarts (or re-sends its whole table after shedding) re-reports every socket it still sees as
 * first seen; a FIN_WAIT2 socket that vanished while it was down (or whose GONE was shed) gets no GONE. Its episode
 * must end (RESOLVED if it was STUCK) instead of turning into a false STUCK later, while the re-reported ones carry
 * on untouched.
 */
class CollectorRestartTest extends DetectorTest {
    static final int FIN_TIMEOUT_S = 60;
    static final Proc APP = new Proc(4242, "app", null);

    @Test
    void episodesTheRestartedCollectorDidNotReReportEndAndTheOthersCarryOn() {
        CollectorRun first = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S);
        Socket stillThere = threeEpisodesTwoStuck(first);

        // The collector restarts 10 s later, numbering on; of the three, it still sees only one.
        det.advance(Duration.ofSeconds(10));
        CollectorRun second = new CollectorRun("node-1", "node-1-c1", det.wallClock(), 1000, FIN_TIMEOUT_S)
                .seqFrom(first.lastSeq() + 1);
        det.send(second.attached(stillThere, null, TcpState.FIN_WAIT2, APP)).send(second.heartbeatAfterFirstPoll(1));
        List<FinWait2Anomaly> after = det.liveFor(second, Duration.ofSeconds(FIN_TIMEOUT_S + 10));

        assertOnlyTheLeftOutEnded(after);
    }

    /**
     * A collector that shed events under its disk cap keeps running (same started_at), then re-sends its whole table
     * and marks the heartbeat with {@code full_table_from_seq}: the GONEs that were shed must be made good there.
     */
    @Test
    void episodesAReSentFullTableLeftOutEndAndTheOthersCarryOn() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S);
        Socket stillThere = threeEpisodesTwoStuck(run);

        // Kafka is away: the GONEs of 40001 and 40002 are shed; the heartbeat says which numbers are missing.
        long firstShed = run.lastSeq() + 1;
        run.seqFrom(firstShed + 2);
        det.advance(Duration.ofSeconds(5));
        CollectorHeartbeat marked = run.at(det.wallClock()).heartbeat();
        marked.setShedEvents(2);
        marked.setShedRanges(List.of(new SeqRange(firstShed, firstShed + 1)));
        det.send(marked);

        // Room again: the whole table is re-sent, one first-seen transition per socket, and the heartbeat marks it.
        det.advance(Duration.ofSeconds(1));
        run.at(det.wallClock());
        long from = run.lastSeq() + 1;
        det.send(run.attached(stillThere, null, TcpState.FIN_WAIT2, APP)).send(run.heartbeatAfterFullTable(from));
        assertOnlyTheLeftOutEnded(det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 10)));
        KeyValueStore<String, ConnectionState> open = det.keyValueStore(StoreNames.CONNECTIONS);
        try (KeyValueIterator<String, ConnectionState> it = open.all()) {
            assertThat(it).toIterable().extracting(kv -> kv.value.key().localPort()).containsExactly(40003);
        }
    }

    /**
     * 40001 and 40003 enter FIN_WAIT2 and go STUCK, then 40002 enters; only 40003 (returned) will still be there
     * when the collector next reports its whole table.
     */
    private Socket threeEpisodesTwoStuck(CollectorRun run) {
        Socket stuckThenVanished = run.socket(40001);
        Socket vanishedEarly = run.socket(40002);
        Socket stillThere = run.socket(40003);
        det.send(run.heartbeat())
                .send(run.attached(stuckThenVanished, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP))
                .send(run.attached(stillThere, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        assertThat(det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 5)))
                .extracting(FinWait2Anomaly::getKind).containsOnly(AnomalyKind.STUCK).hasSize(2);
        det.send(run.attached(vanishedEarly, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        return stillThere;
    }

    private static void assertOnlyTheLeftOutEnded(List<FinWait2Anomaly> after) {
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
