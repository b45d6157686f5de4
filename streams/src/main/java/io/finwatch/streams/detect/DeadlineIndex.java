package io.finwatch.streams.detect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Connections ordered by when they come due. The key starts with the fire time as a big-endian long, and
 * byte order is the store's order, so everything due by now is one range scan from the start, however
 * many sockets are open. Punctuation schedules are not persisted; this store is, so entries that came due
 * while the detector was down fire after it restarts.
 */
final class DeadlineIndex {

    private static final byte[] EMPTY = new byte[0];

    record Due(long fireAt, String connectionKey) {
    }

    private final KeyValueStore<Bytes, byte[]> store;

    DeadlineIndex(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
    }

    void add(long fireAt, String connectionKey) {
        store.put(key(fireAt, connectionKey), EMPTY);
    }

    void remove(long fireAt, String connectionKey) {
        store.delete(key(fireAt, connectionKey));
    }

    /** Up to {@code limit} entries due at or before {@code now}, earliest first. */
    List<Due> due(long now, int limit) {
        List<Due> out = new ArrayList<>();
        if (now < 0) {
            return out;
        }
        // The upper bound is the bare 8-byte time just past now: it sorts after every key of time now.
        Bytes from = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(0).array());
        Bytes to = Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(now + 1).array());
        try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
            while (it.hasNext() && out.size() < limit) {
                KeyValue<Bytes, byte[]> e = it.next();
                ByteBuffer b = ByteBuffer.wrap(e.key.get());
                long fireAt = b.getLong();
                if (fireAt > now) {
                    break;
                }
                out.add(new Due(fireAt, new String(e.key.get(), Long.BYTES, e.key.get().length - Long.BYTES, StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    /** Where an entry firing at {@code fireAt} sits: a time before 1970 (a collector clock gone wrong) sorts first, not last. */
    static long slot(long fireAt) {
        return Math.max(0, fireAt);
    }

    static Bytes key(long fireAt, String connectionKey) {
        byte[] text = connectionKey.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(Long.BYTES + text.length).putLong(slot(fireAt)).put(text).array());
    }
}
