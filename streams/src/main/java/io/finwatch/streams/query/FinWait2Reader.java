package io.finwatch.streams.query;

import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.detect.ConnectionState;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.KeyValueIterator;

/** The open FIN_WAIT2 episodes of one host. */
public final class FinWait2Reader {

    private static final StringSerializer KEYS = new StringSerializer();

    private FinWait2Reader() {
    }

    /** Longest dwell first; {@code dwell_ms} is measured to {@code now}. */
    public static List<ConnectionView> of(PartitionStores s, String host, Instant now) {
        List<ConnectionView> out = new ArrayList<>();
        try (KeyValueIterator<String, ConnectionState> it = s.<ConnectionState>keyValue(StoreNames.CONNECTIONS)
                .prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                out.add(view(it.next().value, now, s.stale()));
            }
        }
        out.sort(Orderings.CONNECTIONS);
        return out;
    }

    private static ConnectionView view(ConnectionState c, Instant now, boolean stale) {
        ConnectionKey k = c.key();
        return new ConnectionView(k.host(), k.netns(), Orderings.family(k.family()), k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(),
                c.pid(), c.comm(), c.containerId(), c.orphaned(), c.stuckEmitted(), Instant.ofEpochMilli(c.enteredAt()),
                Math.max(0, now.toEpochMilli() - c.enteredAt()), Instant.ofEpochMilli(c.deadline()), c.finTimeoutS(), stale,
                c.shutdown() == null ? null : c.shutdown().name(), c.recvQ(), c.sendQ());
    }
}
