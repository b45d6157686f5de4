package io.finwatch.streams.pair;

import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.config.PromptCommits;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Meets the ends of a connection under one connection key (the pairing topic's record key) and tells each end in
 * FIN_WAIT2 or CLOSE_WAIT about the other, through the pair-facts topic keyed by the end's host, where the detector task
 * holding the end's episode reads it.
 *
 * <p>Two ends stored under this key are one connection when, under this key, each is where the other says its peer is,
 * and their times overlap (a GONE end ended before the other entered its state belongs to an earlier connection on the
 * same 4-tuple). The pair is decided only here when this key is the smallest both key sets share: the task of another
 * shared key holds the same two ends and stays silent, so each fact is sent once.
 *
 * <p>Each end keeps its newest report: a copy of one already held, or an older one, changes nothing (the pairing topic
 * is written with exactly-once, so these come only from a collector's re-sends that passed deduplication under another
 * epoch). An end that goes stays, as GONE, while an end it pairs with is still judged (its FIN_LOST or PEER_GONE rests
 * on it), and is dropped with the last one; a passive closer's end that goes with no peer yet stays
 * {@link #GONE_KEPT_MS}, for a FIN_WAIT2 peer reported late. Everything is in the {@link StoreNames#PAIR_ENDS} store (changelogged), so
 * a restarted task resumes with the ends it held.
 *
 * <p>The ends are also held decoded, by connection key, and read only from there: a prefix scan of the store and a get
 * per record, through its metered and caching layers, were most of this task's time. The store stays the truth: every
 * change is written through, and the index is rebuilt from it at every init (after a restore, or a dirty close whose
 * writes were rolled back).
 */
public final class PairingProcessor implements Processor<String, PairingEnd, String, PairFact> {

    /**
     * How long a passive closer's end that went (from CLOSE_WAIT, LAST_ACK or CLOSING) waits for a FIN_WAIT2 peer whose
     * report comes late (its collector or its detector task behind): long enough for a backlog, short enough that the
     * ends of ordinary closes do not pile up.
     */
    public static final long GONE_KEPT_MS = 120_000L;
    /**
     * LAST_ACK and CLOSING last only while the kernel retransmits the socket's FIN: at most tcp_retries2's span for an
     * attached socket (15 retries by default, about 924 s), tcp_orphan_retries' for an orphan. An end reported in one
     * of them this long ago (by this task's clock) and not since went unreported: its collector was down or restarting
     * when it went, and the detector, which holds no episode of these states, cannot end it. It is ended here as a
     * GONE that sent its FIN, which is what its collector would have said.
     */
    public static final long TRANSIENT_MAX_MS = 30 * 60_000L;
    private static final Duration SWEEP_EVERY = Duration.ofSeconds(10);
    /** The states an end cannot stay in for long, so one not heard of since is ended after {@link #TRANSIENT_MAX_MS}. */
    private static final Set<TcpState> TRANSIENT = EnumSet.of(TcpState.LAST_ACK, TcpState.CLOSING);

    private ProcessorContext<String, PairFact> context;
    private PromptCommits commits;
    private KeyValueStore<String, PairingEnd> ends;
    /** What the store holds, by connection key then store key; never changed in place, as the store's values are not. */
    private final Map<String, Map<String, PairingEnd>> byKey = new HashMap<>();
    /**
     * GONE ends kept for a late peer, and LAST_ACK or CLOSING ends, by when they go: in memory, rebuilt from the store
     * when the task starts.
     */
    private final TreeSet<Kept> kept = new TreeSet<>(Comparator.comparingLong(Kept::until).thenComparing(Kept::storeKey)
            .thenComparing(Kept::transientEnd).thenComparingLong(Kept::seq));
    private Cancellable sweep;

    /**
     * @param transientEnd kept as a LAST_ACK or CLOSING end (else as a GONE one): each kind of entry ends only its kind
     * @param seq          the report it was kept for: a later report of the end keeps it anew
     */
    private record Kept(long until, String storeKey, boolean transientEnd, long seq) {
    }

    @Override
    public void init(ProcessorContext<String, PairFact> context) {
        this.context = context;
        this.commits = PromptCommits.of(context);
        this.ends = context.getStateStore(StoreNames.PAIR_ENDS);
        byKey.clear();
        kept.clear();
        try (KeyValueIterator<String, PairingEnd> it = ends.all()) {
            while (it.hasNext()) {
                KeyValue<String, PairingEnd> e = it.next();
                byKey.computeIfAbsent(connectionKey(e.key), k -> new HashMap<>()).put(e.key, e.value);
                if (e.value.getState() == TcpState.GONE) {
                    kept.add(new Kept(e.value.getObservedAt() + GONE_KEPT_MS, e.key, false, e.value.getSeq()));
                } else if (TRANSIENT.contains(e.value.getState())) {
                    // When it was stored is not kept: counted from now, a restart delays its end by at most the span.
                    kept.add(new Kept(context.currentSystemTimeMs() + TRANSIENT_MAX_MS, e.key, true, e.value.getSeq()));
                }
            }
        }
        this.sweep = context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    private void sweep(long now) {
        while (!kept.isEmpty() && kept.first().until() <= now) {
            Kept k = kept.pollFirst();
            String key = connectionKey(k.storeKey());
            PairingEnd e = held(key, k.storeKey());
            if (e == null) {
                continue;
            }
            if (!k.transientEnd() && e.getState() == TcpState.GONE && e.getObservedAt() + GONE_KEPT_MS <= now) {
                drop(key, k.storeKey());
            } else if (k.transientEnd() && TRANSIENT.contains(e.getState()) && e.getSeq() == k.seq()) {
                // A copy of its own, read from the store: the held end is not changed in place.
                PairingEnd gone = ends.get(k.storeKey());
                gone.setState(TcpState.GONE);
                gone.setObservedAt(now);
                gone.setStateSince(now);
                gone.setSentFin(true);
                apply(key, k.storeKey(), merged(gone, e), e, now);
            }
        }
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel();
        }
        if (commits != null) {
            commits.close();
        }
        byKey.clear();
        kept.clear();
    }

    @Override
    public void process(Record<String, PairingEnd> record) {
        String key = record.key();
        PairingEnd in = record.value();
        if (key == null || in == null) {
            return;
        }
        String self = StoreKeys.pairEnd(key, PairingEnds.id(in));
        PairingEnd prev = held(key, self);
        if (prev != null && !PairingEnds.newer(in, prev)) {
            return;
        }
        apply(key, self, merged(in, prev), prev, record.timestamp());
    }

    /** Stores {@code end} (the newest report of the end under {@code self}) and tells what it changes. */
    private void apply(String key, String self, PairingEnd end, PairingEnd prev, long timestamp) {
        List<PairKeys.Keyed> mine = PairingEnds.keys(end);
        PairKeys.Keyed here = PairKeys.find(mine, key);
        if (here == null) {
            // Not one of the end's own keys: a record this task should never have got.
            return;
        }
        List<Map.Entry<String, PairingEnd>> others = new ArrayList<>();
        Map<String, PairingEnd> under = byKey.get(key);
        if (under != null) {
            for (Map.Entry<String, PairingEnd> e : under.entrySet()) {
                if (!e.getKey().equals(self)) {
                    others.add(e);
                }
            }
        }
        boolean stillNeeded = false;
        for (Map.Entry<String, PairingEnd> o : others) {
            PairingEnd other = o.getValue();
            List<PairKeys.Keyed> theirs = PairingEnds.keys(other);
            PairKeys.Keyed there = PairKeys.find(theirs, key);
            if (there == null || !here.opposite(there)) {
                continue;
            }
            if (end.getState() == TcpState.GONE && other.getState() == TcpState.GONE) {
                // Kept only for this end, which is gone too.
                drop(key, o.getKey());
                continue;
            }
            if (!overlap(end, other)) {
                continue;
            }
            boolean owned = key.equals(PairKeys.owner(mine, theirs));
            if (PairingEnds.judged(other.getState())) {
                stillNeeded = true;
                if (owned) {
                    tell(other, end, key, timestamp);
                }
            } else if (other.getState() == TcpState.GONE && !PairingEnds.judged(end.getState())) {
                // Kept only for an end being judged; this one no longer is.
                drop(key, o.getKey());
            }
            if (owned && PairingEnds.judged(end.getState())) {
                tell(end, other, key, timestamp);
            }
        }
        if (end.getState() == TcpState.GONE && !stillNeeded) {
            if (prev != null && PASSIVE.contains(prev.getState())) {
                hold(key, self, end);
                kept.add(new Kept(end.getObservedAt() + GONE_KEPT_MS, self, false, end.getSeq()));
            } else {
                drop(key, self);
            }
        } else {
            hold(key, self, end);
            if (TRANSIENT.contains(end.getState())) {
                kept.add(new Kept(context.currentSystemTimeMs() + TRANSIENT_MAX_MS, self, true, end.getSeq()));
            }
        }
    }

    /** The connection key an end is stored under: what comes before {@link StoreKeys#PAIR_SEP} in its store key. */
    private static String connectionKey(String storeKey) {
        return storeKey.substring(0, storeKey.indexOf(StoreKeys.PAIR_SEP));
    }

    private PairingEnd held(String key, String self) {
        Map<String, PairingEnd> under = byKey.get(key);
        return under == null ? null : under.get(self);
    }

    private void hold(String key, String self, PairingEnd end) {
        ends.put(self, end);
        byKey.computeIfAbsent(key, k -> new HashMap<>()).put(self, end);
    }

    private void drop(String key, String self) {
        ends.delete(self);
        Map<String, PairingEnd> under = byKey.get(key);
        if (under != null && under.remove(self) != null && under.isEmpty()) {
            byKey.remove(key);
        }
    }

    /** The states of an end that received its peer's FIN first: its peer is (or was) in FIN_WAIT2. */
    private static final Set<TcpState> PASSIVE = EnumSet.of(TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.CLOSING);

    private void tell(PairingEnd subject, PairingEnd peer, String key, long timestamp) {
        context.forward(new Record<>(subject.getHost(), PairingEnds.fact(subject, peer, key), timestamp));
        commits.request();
    }

    /** The new report, keeping when its state began and whether it sent its FIN while it is the same socket. */
    private static PairingEnd merged(PairingEnd in, PairingEnd prev) {
        if (prev == null || prev.getState() == TcpState.GONE) {
            return in;
        }
        // Set on the record just decoded (Avro's copying builders load classes by name, which its allow-list refuses).
        if (prev.getState() == in.getState()) {
            in.setStateSince(Math.min(prev.getStateSince(), in.getStateSince()));
        }
        if (prev.getSentFin()) {
            in.setSentFin(true);
        }
        if (in.getConntrack() == null && prev.getConntrack() != null) {
            in.setConntrack(prev.getConntrack());
        }
        if (in.getPid() == null && prev.getPid() != null) {
            // A GONE names no owner: the peer is still the process that held it.
            in.setPid(prev.getPid());
            in.setComm(prev.getComm());
            in.setContainerId(prev.getContainerId());
            in.setPod(prev.getPod());
        }
        return in;
    }

    /** Whether the two reports can be of one connection: neither ended before the other's state began. */
    private static boolean overlap(PairingEnd a, PairingEnd b) {
        return !(a.getState() == TcpState.GONE && a.getObservedAt() < b.getStateSince())
                && !(b.getState() == TcpState.GONE && b.getObservedAt() < a.getStateSince());
    }
}
