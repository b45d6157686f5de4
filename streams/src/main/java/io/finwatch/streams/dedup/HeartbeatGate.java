package io.finwatch.streams.dedup;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.state.StoreKeys;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Holds a heartbeat back until the transitions its collector numbered before it have been taken.
 *
 * <p>Heartbeats and transitions come on two topics. A heartbeat means "the poll I close has been reported": its sweep
 * (the episodes a new run's full table left out have ended) and the host's freshness (deadlines that pass now may
 * raise STUCK) are right only once that poll's transitions are in. Kafka Streams' task idling waits for a partition's
 * data it knows to be on the broker, not for records the collector has yet to get there: a heartbeat can still be read
 * before the transitions of its own poll when those reach the broker a moment later. The collector numbers both in
 * one sequence, so the order is checked here too: heartbeat {@code seq} is due once every number below it has been taken
 * or will never come, that is once the run's transitions reached {@code seq - 1}, or {@code seq - 1} was the
 * heartbeat before it, or the numbers in between were declared shed or lost, or a transition of a later run of the
 * collector was taken (it sends its buffer in order, so the earlier run's transitions came first). The transitions'
 * high-water mark is the dedup mark, which survives restarts with the task.
 *
 * <p>A heartbeat whose transitions do not come (lost in transit, undeclared, or sent to the dead-letter topic) is let
 * through after {@link #HOLD_MAX_MS} of wall-clock time: it must still prove its collector alive well before the
 * host's silence-after. That is too short to stand in for idling: with idling off, a catch-up reads heartbeats seconds
 * ahead of their transitions (docs/benchmarks.md, session 10). Held heartbeats are written to a store
 * at each commit that finds them waiting, so one held across a commit is not lost with the instance (the dedup mark
 * already took its seq).
 */
final class HeartbeatGate {

    /** How long a heartbeat waits at most for the transitions numbered before it. */
    static final long HOLD_MAX_MS = 2_000;

    /** The highest transition seq taken of a collector run, or -1 when none is. */
    interface TransitionMarks {
        long upTo(String collectorId, long epoch);
    }

    private final KeyValueStore<String, byte[]> store;
    private final TransitionMarks marks;
    private final FinwatchSerde serde = FinwatchSerde.shared();
    /** Held heartbeats per collector, in the order they came; collectors with none have no entry. */
    private final Map<String, ArrayDeque<Held>> held = new HashMap<>();
    /** Keys of heartbeats let through since the last save that the store still has. */
    private final List<String> unheld = new ArrayList<>();

    private static final class Held {
        final CollectorHeartbeat heartbeat;
        final long since;
        /** Its key once it is in the store: most heartbeats wait less than a commit interval and never get there. */
        String key;

        Held(CollectorHeartbeat heartbeat, long since, String key) {
            this.heartbeat = heartbeat;
            this.since = since;
            this.key = key;
        }
    }

    /** Loads the heartbeats held at the task's last commit: they wait again, at most {@link #HOLD_MAX_MS} from now. */
    HeartbeatGate(KeyValueStore<String, byte[]> store, TransitionMarks marks, long now) {
        this.store = store;
        this.marks = marks;
        List<KeyValue<String, byte[]>> kept = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(kept::add);
        }
        for (KeyValue<String, byte[]> e : kept) {
            CollectorHeartbeat hb = serde.decode(e.value, CollectorHeartbeat.class);
            held.computeIfAbsent(hb.getCollectorId(), c -> new ArrayDeque<>(2)).add(new Held(hb, now, e.key));
        }
    }

    /**
     * A heartbeat passed dedup.
     *
     * @param previous the seq of the run's heartbeat before it (its dedup mark before this one), -1 if none
     * @return whether it is taken now; if not, it waits
     */
    boolean onHeartbeat(CollectorHeartbeat hb, long previous, long now) {
        // Behind any that wait, even of an older run: a newer run's heartbeat says nothing of the older run's transitions,
        // which are on the other topic (a newer run's transition does: the collector sends its buffer in order).
        ArrayDeque<Held> queue = held.get(hb.getCollectorId());
        if (queue == null && due(hb, previous)) {
            return true;
        }
        if (queue == null) {
            queue = new ArrayDeque<>(2);
            held.put(hb.getCollectorId(), queue);
        }
        queue.add(new Held(hb, now, null));
        return false;
    }

    /** A transition of the collector's run {@code epoch} was taken: the heartbeats it made due, oldest first. */
    List<CollectorHeartbeat> onTransition(String collectorId, long epoch) {
        ArrayDeque<Held> queue = held.get(collectorId);
        return queue == null ? List.of() : release(collectorId, queue, Long.MIN_VALUE, epoch);
    }

    /** The heartbeats held {@link #HOLD_MAX_MS} or longer, and those behind them that are due. */
    List<CollectorHeartbeat> expire(long now) {
        if (held.isEmpty()) {
            return List.of();
        }
        List<CollectorHeartbeat> out = new ArrayList<>();
        for (String collector : List.copyOf(held.keySet())) {
            out.addAll(release(collector, held.get(collector), now - HOLD_MAX_MS, Long.MIN_VALUE));
        }
        return out;
    }

    /** When {@link #expire} next lets a heartbeat through (epoch ms), or {@link Long#MAX_VALUE} when none waits. */
    long nextExpiry() {
        long next = Long.MAX_VALUE;
        for (ArrayDeque<Held> queue : held.values()) {
            Held head = queue.peekFirst();
            if (head != null) {
                next = Math.min(next, head.since + HOLD_MAX_MS);
            }
        }
        return next;
    }

    /** Brings the store to what waits now; runs right before each commit (see {@code BeforeCommitStore}). */
    void save() {
        for (String key : unheld) {
            store.delete(key);
        }
        unheld.clear();
        for (ArrayDeque<Held> queue : held.values()) {
            for (Held h : queue) {
                if (h.key == null) {
                    h.key = key(h.heartbeat);
                    store.put(h.key, serde.encode(h.heartbeat));
                }
            }
        }
    }

    /**
     * Takes from the head of the queue what is due: held since {@code heldBefore} or earlier, of a run before
     * {@code newerEpoch}, or with every number below it taken.
     */
    private List<CollectorHeartbeat> release(String collector, ArrayDeque<Held> queue, long heldBefore, long newerEpoch) {
        List<CollectorHeartbeat> out = new ArrayList<>();
        long previous = -1;
        for (Iterator<Held> it = queue.iterator(); it.hasNext(); ) {
            Held h = it.next();
            CollectorHeartbeat hb = h.heartbeat;
            boolean afterTaken = !out.isEmpty() && out.get(out.size() - 1).getEpoch() == hb.getEpoch();
            if (!(h.since <= heldBefore || hb.getEpoch() < newerEpoch || due(hb, afterTaken ? previous : -1))) {
                break;
            }
            it.remove();
            if (h.key != null) {
                unheld.add(h.key);
            }
            out.add(hb);
            previous = hb.getSeq();
        }
        if (queue.isEmpty()) {
            held.remove(collector);
        }
        return out;
    }

    /** Whether every number of the run below the heartbeat has been taken or will never come. */
    private boolean due(CollectorHeartbeat hb, long previous) {
        long need = hb.getSeq() - 1;
        // Numbers the collector declared shed or lost will not come: wait for the one before them.
        for (boolean moved = true; moved; ) {
            moved = false;
            for (SeqRange r : hb.getShedRanges()) {
                if (r.getFirst() <= need && need <= r.getLast()) {
                    need = r.getFirst() - 1;
                    moved = true;
                }
            }
            if (hb.getLostRanges() != null) {
                for (LostRange r : hb.getLostRanges()) {
                    if (r.getEpoch() == hb.getEpoch() && r.getFirst() <= need && need <= r.getLast()) {
                        need = r.getFirst() - 1;
                        moved = true;
                    }
                }
            }
        }
        // Nothing of a run comes before its first number (known from collectors of schema v3 on).
        return need < hb.getEpochFirstSeq() || previous >= need || marks.upTo(hb.getCollectorId(), hb.getEpoch()) >= need;
    }

    /** collector_id|epoch|seq, the numbers zero-padded to 19 digits so that a collector's keys sort in its order. */
    private static String key(CollectorHeartbeat hb) {
        StringBuilder k = new StringBuilder(hb.getCollectorId().length() + 40).append(hb.getCollectorId()).append(StoreKeys.SEP);
        padded(k, hb.getEpoch()).append(StoreKeys.SEP);
        return padded(k, hb.getSeq()).toString();
    }

    private static StringBuilder padded(StringBuilder k, long n) {
        String digits = Long.toString(n);
        k.append("0".repeat(Math.max(0, 19 - digits.length())));
        return k.append(digits);
    }
}
