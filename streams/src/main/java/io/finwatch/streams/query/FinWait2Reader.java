package io.finwatch.streams.query;

import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.detect.ConnectionState;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.streams.verdict.VerdictRules;
import java.time.Instant;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/** The open FIN_WAIT2 or CLOSE_WAIT episodes of one host, with their peers. */
public final class FinWait2Reader {

    private static final StringSerializer KEYS = new StringSerializer();

    private FinWait2Reader() {
    }

    /** The FIN_WAIT2 ones, longest dwell first; {@code dwell_ms} is measured to {@code now}. */
    public static List<ConnectionView> of(PartitionStores s, String host, Instant now) {
        return of(s, host, now, TcpState.FIN_WAIT2);
    }

    /** The episodes in {@code state}, longest dwell first. */
    public static List<ConnectionView> of(PartitionStores s, String host, Instant now, TcpState state) {
        List<ConnectionView> out = new ArrayList<>();
        // One scan of the host's peers rather than a lookup per socket: most sockets have none.
        Map<String, PairFact> peers = new HashMap<>();
        try (KeyValueIterator<String, PairFact> it = s.<PairFact>keyValue(StoreNames.PEERS).prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            it.forEachRemaining(e -> peers.put(e.key, e.value));
        }
        try (KeyValueIterator<String, ConnectionState> it = s.<ConnectionState>keyValue(StoreNames.CONNECTIONS)
                .prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, ConnectionState> e = it.next();
                if (e.value.state() == state) {
                    // The store key is the connection key: no need to build it again from the episode.
                    out.add(view(e.value, peers.isEmpty() ? null : peers.get(e.key), now, s.stale()));
                }
            }
        }
        out.sort(Orderings.CONNECTIONS);
        return out;
    }

    /** The host's open episodes that have a peer, each with the verdict the two ends give now. */
    public static List<PairView> pairs(PartitionStores s, String host, Instant now) {
        List<PairView> out = new ArrayList<>();
        ReadOnlyKeyValueStore<String, ConnectionState> connections = s.keyValue(StoreNames.CONNECTIONS);
        try (KeyValueIterator<String, PairFact> it = s.<PairFact>keyValue(StoreNames.PEERS).prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                KeyValue<String, PairFact> e = it.next();
                ConnectionState c = connections.get(e.key);
                if (c == null) {
                    continue;
                }
                ConnectionKey k = c.key();
                VerdictRules.Judgement j = VerdictRules.judge(new VerdictRules.Subject(k.host(), k.netns(), c.state(), c.enteredAt(),
                        k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(), c.recvQ(), c.conntrack()), e.value, null, now.toEpochMilli(), 0);
                out.add(new PairView(host, e.value.getPairKey(), view(c, e.value, now, s.stale()), PeerView.of(e.value.getPeer(), now),
                        j.verdict().name(), j.evidence(), s.stale()));
            }
        }
        out.sort(Comparator.comparing(PairView::end, Orderings.CONNECTIONS));
        return out;
    }

    private static ConnectionView view(ConnectionState c, PairFact fact, Instant now, boolean stale) {
        ConnectionKey k = c.key();
        return new ConnectionView(k.host(), k.netns(), Orderings.family(k.family()), k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(),
                c.pid(), c.comm(), c.containerId(), c.orphaned(), c.stuckEmitted(), Instant.ofEpochMilli(c.enteredAt()),
                c.enteredAtSource() == null ? null : c.enteredAtSource().name(),
                Math.max(0, now.toEpochMilli() - c.enteredAt()), Instant.ofEpochMilli(c.deadline()),
                c.reapAt() == null ? null : Instant.ofEpochMilli(c.reapAt()), c.finTimeoutS(), stale,
                c.shutdown() == null ? null : c.shutdown().name(), c.recvQ(), c.sendQ(),
                c.state().name(), c.verdict() == null ? null : c.verdict().name(),
                fact == null ? null : PeerView.of(fact.getPeer(), now));
    }
}
