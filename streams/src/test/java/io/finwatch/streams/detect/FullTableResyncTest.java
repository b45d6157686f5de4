package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * A collector that shed events under its disk cap keeps running (same started_at), then re-sends its whole table
 * and marks the heartbeat with {@code full_table_from_seq}. Sockets whose GONE was among the shed events must end
 * there, not linger into a false STUCK; the re-reported ones carry on.
 */
class FullTableResyncTest extends DetectorTest {
    static final int FIN_TIMEOUT_S = 60;
    static final Proc APP = new Proc(4242, "app", null);

    @Test
    void episodesTheReSentTableLeftOutEndAndTheOthersCarryOn() {
        CollectorRun run = new CollectorRun("node-1", "node-1-c1", T0, 1000, FIN_TIMEOUT_S);
        Socket stuckThenGone = run.socket(40001);
        Socket goneEarly = run.socket(40002);
        Socket stillThere = run.socket(40003);
        det.send(run.heartbeat())
                .send(run.attached(stuckThenGone, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP))
                .send(run.attached(stillThere, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));
        assertThat(det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 5)))
                .extracting(FinWait2Anomaly::getKind).containsOnly(AnomalyKind.STUCK).hasSize(2);
        det.send(run.attached(goneEarly, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, APP));

        // Kafka is away: the GONEs of 40001 and 40002 are shed; the heartbeat says which numbers are missing.
        long firstShed = run.lastSeq() + 1;
        run.seqFrom(firstShed + 2);
        det.advance(Duration.ofSeconds(5));
        var marked = run.at(det.wallClock()).heartbeat();
        marked.setShedEvents(2);
        marked.setShedRanges(List.of(new SeqRange(firstShed, firstShed + 1)));
        det.send(marked);

        // Room again: the whole table is re-sent, one first-seen transition per socket, and the heartbeat marks it.
        det.advance(Duration.ofSeconds(1));
        run.at(det.wallClock());
        long from = run.lastSeq() + 1;
        det.send(run.attached(stillThere, null, TcpState.FIN_WAIT2, APP)).send(run.heartbeatAfterFullTable(from));
        List<FinWait2Anomaly> after = det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 10));

        assertThat(after).filteredOn(a -> Integer.valueOf(40001).equals(a.getLocalPort())).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AnomalyKind.RESOLVED);
            assertThat(a.getReason()).isEqualTo(AnomalyReason.CONNECTION_GONE);
        });
        assertThat(after).filteredOn(a -> Integer.valueOf(40002).equals(a.getLocalPort())).isEmpty();
        assertThat(after).filteredOn(a -> Integer.valueOf(40003).equals(a.getLocalPort())).isEmpty();
        KeyValueStore<String, ConnectionState> open = det.keyValueStore(io.finwatch.streams.topology.StoreNames.CONNECTIONS);
        try (var it = open.all()) {
            assertThat(it).toIterable().extracting(kv -> kv.value.key().localPort()).containsExactly(40003);
        }
    }
}
