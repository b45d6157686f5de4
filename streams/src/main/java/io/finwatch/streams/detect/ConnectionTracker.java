package io.finwatch.streams.detect;

import io.finwatch.schemas.Owner;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.streams.aggregate.DwellAggregates;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.metrics.WorkloadLabels;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.verdict.VerdictRules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * FIN_WAIT2 and CLOSE_WAIT episodes of sockets: opened by a transition into the state, closed by one out of it (or
 * GONE), judged against their deadline. A CLOSE_WAIT socket is never reaped by the kernel (its process must close
 * it), so its deadline is entered + the close-wait threshold; it has no orphan case (closing a CLOSE_WAIT socket
 * moves it to LAST_ACK).
 *
 * <p>Deadline: an attached socket is never reaped, so it is stuck once it outlives the namespace's
 * tcp_fin_timeout counted from when it entered FIN_WAIT2. An orphan is reaped by the kernel at its reap
 * deadline (observed_at + the kernel's timer, as the collector reported it; entered + fin timeout when it did
 * not); it is stuck only once that deadline plus a grace has passed, the grace covering the kernel's timer and the
 * collector's next poll, and once this detector has read a poll of its collector from after that time which did not
 * report it gone. A detector behind its input would otherwise call stuck, by its clock, an orphan whose GONE it has
 * still to read.
 *
 * <p>Clock assumption: observed_at and reap_deadline are the collector's wall clock, compared by the
 * punctuator with this instance's wall clock; hosts are expected to be NTP-synchronised, and skew shifts
 * when a STUCK is raised by as much as the skew.
 *
 * <p>Re-sent FIRST_SEEN events (a restarted collector, a buffer that shed events) for a socket already
 * known change nothing: the episode keeps its entry time and deadline.
 */
final class ConnectionTracker {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KeyValueStore<String, ConnectionState> connections;
    private final DeadlineIndex deadlines = new DeadlineIndex();
    private final OpenCountStores counts;
    private final DwellAggregates dwell;
    private final DwellAggregates closeWaitDwell;
    private final Diagnosis diagnosis;
    /** STUCK FIN_WAIT2 episodes with no peer fact, judged from the host directory alone: judged again at every recheck. */
    private final Set<String> unsettled = new TreeSet<>();
    private final StreamsSettings settings;
    private final DetectorMetrics.OpenSockets openMetric;
    private final OpenEpisodes episodes = new OpenEpisodes();
    /**
     * Per host, orphans past their deadline plus grace that wait for this task to read a poll of their collector from
     * after it; back in the deadline index at the host's next heartbeat. In memory: after a restart the index is
     * rebuilt from the store, these with it.
     */
    private final Map<String, List<DeadlineIndex.Due>> awaitingPoll = new HashMap<>();
    ConnectionTracker(KeyValueStore<String, ConnectionState> connections, OpenCountStores counts, DwellAggregates dwell,
                      DwellAggregates closeWaitDwell,
                      Diagnosis diagnosis, StreamsSettings settings, DetectorMetrics.OpenSockets openMetric) {
        this.connections = connections;
        this.counts = counts;
        this.dwell = dwell;
        this.closeWaitDwell = closeWaitDwell;
        this.diagnosis = diagnosis;
        this.settings = settings;
        this.openMetric = openMetric;
        openMetric.reset();
        counts.forEachHost((host, c) -> {
            openMetric.add(false, c.attached());
            openMetric.add(true, c.orphaned());
        });
        try (KeyValueIterator<String, ConnectionState> it = connections.all()) {
            while (it.hasNext()) {
                KeyValue<String, ConnectionState> e = it.next();
                episodes.opened(e.value.key());
                if (!e.value.stuckEmitted()) {
                    deadlines.add(e.value.fireAt(), e.key);
                } else {
                    if (!e.value.closeWait()) {
                        openMetric.stuck(workload(e.value), +1);
                    }
                    if (Diagnosis.unsettled(e.value)) {
                        unsettled.add(e.key);
                    }
                }
            }
        }
    }

    void onTransition(SocketTransition t, long hostIntervalMs, AnomalyOutput out) {
        TcpState from = t.getFromState();
        TcpState to = t.getToState();
        if (to == TcpState.FIN_WAIT2 || to == TcpState.CLOSE_WAIT) {
            inEpisodeState(t, hostIntervalMs, out);
        } else if (from == null || from == TcpState.FIN_WAIT2 || from == TcpState.CLOSE_WAIT || to == TcpState.GONE) {
            // Only these can end an episode we hold: a FIRST_SEEN in another state means the exit was
            // missed (collector restart), any other pair of states was never in an episode state for us.
            left(t, out);
        }
    }

    private void inEpisodeState(SocketTransition t, long hostIntervalMs, AnomalyOutput out) {
        ConnectionKey key = ConnectionKey.of(t);
        String k = key.text();
        long observed = t.getObservedAt().toEpochMilli();
        ConnectionState cur = episodes.mayHave(t) ? connections.get(k) : null;
        if (cur != null && cur.state() != t.getToState()) {
            // The socket is in the other episode state now (a missed exit): that episode has ended.
            left(t, out);
            cur = null;
        }
        if (t.getToState() == TcpState.CLOSE_WAIT) {
            inCloseWait(t, key, cur, hostIntervalMs);
            return;
        }
        Owner last = t.getLastOwner();
        boolean attachedNow = t.getPid() != null;
        Integer pid = attachedNow ? t.getPid() : last == null ? null : last.getPid();
        String comm = attachedNow ? t.getComm() : last == null ? null : last.getComm();
        String container = attachedNow ? t.getContainerId() : last == null ? null : last.getContainerId();
        if (cur == null) {
            long entered = enteredAt(t, observed);
            long deadline = deadline(t, entered);
            long fireAt = t.getOrphaned() ? deadline + settings.graceMs(hostIntervalMs) : deadline;
            ConnectionState c = new ConnectionState(key, entered, deadline, fireAt, t.getOrphaned(), t.getFinTimeoutS(), pid, comm,
                    container, t.getCollectorId(), false, hostIntervalMs, t.getSeq(), t.getShutdown(), t.getRecvQ(), t.getSendQ(),
                    t.getPod(), TcpState.FIN_WAIT2, t.getConntrack(), null, enteredAtSource(t, observed), reapAt(t));
            open(k, c);
            return;
        }
        cur = reReported(t, k, cur);
        cur = earlierEntry(t, k, cur, observed);
        if (t.getOrphaned() && !cur.orphaned() && observed >= cur.enteredAt()) {
            // The process closed its socket: from now on the kernel's timer runs, and the orphan keeps the
            // owner that abandoned it.
            long deadline = deadline(t, observed);
            long fireAt = deadline + settings.graceMs(cur.pollIntervalMs());
            ConnectionState c = cur.orphanedWith(deadline, fireAt, cur.pid() != null ? cur.pid() : pid,
                    cur.pid() != null ? cur.comm() : comm, cur.pid() != null ? cur.containerId() : container, t.getCollectorId(),
                    reapAt(t));
            connections.put(k, c);
            if (!cur.stuckEmitted()) {
                deadlines.remove(cur.fireAt(), k);
                deadlines.add(fireAt, k);
            }
            count(cur, -1);
            count(c, +1);
        }
    }

    private void inCloseWait(SocketTransition t, ConnectionKey key, ConnectionState cur, long hostIntervalMs) {
        String k = key.text();
        if (cur == null) {
            long entered = enteredAt(t, t.getObservedAt().toEpochMilli());
            long deadline = entered + settings.closeWaitThreshold().toMillis();
            Owner last = t.getLastOwner();
            boolean attachedNow = t.getPid() != null;
            ConnectionState c = new ConnectionState(key, entered, deadline, deadline, false, t.getFinTimeoutS(),
                    attachedNow ? t.getPid() : last == null ? null : last.getPid(),
                    attachedNow ? t.getComm() : last == null ? null : last.getComm(),
                    attachedNow ? t.getContainerId() : last == null ? null : last.getContainerId(),
                    t.getCollectorId(), false, hostIntervalMs, t.getSeq(), t.getShutdown(), t.getRecvQ(), t.getSendQ(),
                    t.getPod(), TcpState.CLOSE_WAIT, t.getConntrack(), null, enteredAtSource(t, t.getObservedAt().toEpochMilli()), null);
            open(k, c);
            return;
        }
        earlierEntry(t, k, reReported(t, k, cur), t.getObservedAt().toEpochMilli());
    }

    private void open(String k, ConnectionState c) {
        connections.put(k, c);
        episodes.opened(c.key());
        deadlines.add(c.fireAt(), k);
        count(c, +1);
    }

    /** A newer report of a socket in its episode's state: its seq, its queues and flags, its NAT translations. */
    private ConnectionState reReported(SocketTransition t, String k, ConnectionState cur) {
        if (t.getSeq() > cur.lastSeenSeq()) {
            cur = cur.seenAt(t.getSeq());
            if (t.getShutdown() != null || t.getRecvQ() != null) {
                cur = cur.withFacts(t.getShutdown(), t.getRecvQ(), t.getSendQ());
            }
            if (t.getConntrack() != null && cur.conntrack() == null) {
                cur = cur.withConntrack(t.getConntrack());
            }
            connections.put(k, cur);
        }
        if (namesMore(t.getPod(), cur.pod())) {
            // The collector named the pod only now (its API view synced after the episode began): recharge it.
            ConnectionState named = cur.withPod(t.getPod());
            connections.put(k, named);
            count(cur, -1);
            count(named, +1);
            cur = named;
        }
        return cur;
    }

    /**
     * When the episode began: the kernel's time the socket entered FIN_WAIT2 when the collector read one (exact,
     * and the same after a collector restart), else the poll that saw it. A kernel time after the poll (clock
     * step between collector and kernel reads) is not believed.
     */
    static long enteredAt(SocketTransition t, long observed) {
        Long since = t.getStateSinceMs();
        return since != null && t.getStateSinceSource() == StateSinceSource.KERNEL && since <= observed ? since : observed;
    }

    static StateSinceSource enteredAtSource(SocketTransition t, long observed) {
        Long since = t.getStateSinceMs();
        return since != null && t.getStateSinceSource() == StateSinceSource.KERNEL && since <= observed
                ? StateSinceSource.KERNEL : StateSinceSource.OBSERVED;
    }

    /** The kernel's reap time of an orphan from its timer, when its collector read one. */
    private static Long reapAt(SocketTransition t) {
        return t.getOrphaned() ? t.getReapAtMs() : null;
    }

    /**
     * An episode first seen without the kernel's time (a poll's, e.g. a FIN_WAIT2 socket that was sending
     * keepalives, or a collector that could not read tcp_info then) takes the kernel's earlier entry time when a
     * later report brings one, and its deadline moves with it; not once its STUCK was raised, whose id and dwell
     * were told from the earlier time.
     */
    private ConnectionState earlierEntry(SocketTransition t, String k, ConnectionState cur, long observed) {
        if (cur.stuckEmitted() || cur.enteredFromKernel() || enteredAtSource(t, observed) != StateSinceSource.KERNEL
                || t.getStateSinceMs() >= cur.enteredAt()) {
            return cur;
        }
        long entered = t.getStateSinceMs();
        long shift = cur.enteredAt() - entered;
        // An orphan's deadline is the kernel's reap time when known, which does not depend on when it entered.
        boolean reapKnown = cur.orphaned() && cur.reapAt() != null;
        long deadline = reapKnown ? cur.deadline() : cur.deadline() - shift;
        long fireAt = reapKnown ? cur.fireAt() : cur.fireAt() - shift;
        ConnectionState moved = cur.withEntry(entered, deadline, fireAt, StateSinceSource.KERNEL, cur.reapAt());
        connections.put(k, moved);
        if (fireAt != cur.fireAt()) {
            deadlines.remove(cur.fireAt(), k);
            deadlines.add(fireAt, k);
        }
        return moved;
    }

    /** Reap deadline for an orphan when the collector gave one; otherwise the fin timeout counted from {@code from}. */
    private static long deadline(SocketTransition t, long from) {
        if (t.getOrphaned() && t.getReapDeadline() != null) {
            return t.getReapDeadline().toEpochMilli();
        }
        return from + 1000L * t.getFinTimeoutS();
    }

    private void left(SocketTransition t, AnomalyOutput out) {
        if (!episodes.mayHave(t)) {
            return;
        }
        String k = ConnectionKey.of(t).text();
        ConnectionState cur = connections.get(k);
        if (cur == null) {
            return;
        }
        long endedAt = t.getObservedAt().toEpochMilli();
        if (endedAt < cur.enteredAt()) {
            return;
        }
        ConnectionState c = cur;
        if (!cur.stuckEmitted()) {
            deadlines.remove(cur.fireAt(), k);
        }
        // The poll before this one still saw the socket in FIN_WAIT2; when that poll was already past fireAt,
        // the socket was stuck whether or not a punctuation got to say so first (the detector was down,
        // or is catching up on a backlog). Same decision, same id, as the punctuator's.
        if (!c.stuckEmitted() && endedAt - c.pollIntervalMs() > c.fireAt()) {
            c = raiseStuck(c, endedAt, out);
        }
        if (c.stuckEmitted()) {
            out.emit(Anomalies.resolved(c, endedAt, t.getToState()));
        }
        ended(k, c, endedAt, endedAt - c.enteredAt());
    }

    private void ended(String k, ConnectionState c, long endedAt, long dwellMs) {
        connections.delete(k);
        episodes.ended(c.key());
        unsettled.remove(k);
        diagnosis.forget(k);
        count(c, -1);
        (c.closeWait() ? closeWaitDwell : dwell).record(StoreKeys.host(c.key().host()), c.processKey(),
                workloadKey(c, StoreKeys.WORKLOAD_DWELL), dwellMs, endedAt);
    }

    /** The episode's STUCK, with the verdict judged now; returns the episode as stored after it. */
    private ConnectionState raiseStuck(ConnectionState c, long now, AnomalyOutput out) {
        VerdictRules.Judgement j = diagnosis.judge(c, now);
        ConnectionState stuck = c.withStuckEmitted().withVerdict(j.verdict());
        connections.put(stuck.key().text(), stuck);
        out.emit(Anomalies.stuck(stuck, now, j));
        if (!stuck.closeWait()) {
            stuck(stuck, +1);
        }
        if (Diagnosis.unsettled(stuck)) {
            unsettled.add(stuck.key().text());
        }
        return stuck;
    }

    /**
     * A fact of the pairing task about an episode's peer: kept with the episode; once the episode is STUCK, a verdict
     * or peer that changes is announced (UPDATED).
     */
    void onPeerFact(PairFact f, long now, AnomalyOutput out) {
        ConnectionKey key = new ConnectionKey(f.getHost(), f.getNetns(), f.getFamily(), f.getLocalIp(), f.getLocalPort(), f.getRemoteIp(),
                f.getRemotePort(), f.getOrdinal());
        if (!episodes.mayHave(key)) {
            return;
        }
        String k = key.text();
        ConnectionState c = connections.get(k);
        // A fact about another episode of the socket (its other state, or an earlier connection on the same 4-tuple).
        if (c == null || c.state() != f.getState() || f.getStateSince() + c.pollIntervalMs() < c.enteredAt()) {
            return;
        }
        PairFact before = diagnosis.peerOf(k);
        diagnosis.remember(k, f);
        unsettled.remove(k);
        if (!c.stuckEmitted()) {
            return;
        }
        VerdictRules.Judgement j = diagnosis.judge(c, now);
        if (j.verdict() != c.verdict() || Diagnosis.peerChanged(before, f)) {
            connections.put(k, c.withVerdict(j.verdict()));
            out.emit(Anomalies.updated(c, now, j));
        }
    }

    /** Judges again the STUCK episodes that have no peer yet, whose verdict rests on the host directory. */
    void recheck(long now, AnomalyOutput out) {
        for (String k : List.copyOf(unsettled)) {
            ConnectionState c = connections.get(k);
            if (c == null || !c.stuckEmitted()) {
                unsettled.remove(k);
                continue;
            }
            VerdictRules.Judgement j = diagnosis.judge(c, now);
            if (j.verdict() != c.verdict()) {
                ConnectionState next = c.withVerdict(j.verdict());
                connections.put(k, next);
                out.emit(Anomalies.updated(c, now, j));
                if (!Diagnosis.unsettled(next)) {
                    unsettled.remove(k);
                }
            }
        }
    }

    /**
     * Ends the host's episodes that a restarted collector did not re-report: their sockets vanished while it was
     * down, so no GONE will ever come. Each ends at {@code endedAt} (when the new run was sure of it); one that was
     * STUCK gets its RESOLVED. No late STUCK is raised, since when the socket went is not known.
     *
     * @return the episodes ended
     */
    List<ConnectionState> endUnconfirmed(String host, long belowOrAtSeq, long endedAt, AnomalyOutput out) {
        List<ConnectionState> stale = new ArrayList<>();
        try (KeyValueIterator<String, ConnectionState> it = connections.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                ConnectionState c = it.next().value;
                if (c.lastSeenSeq() <= belowOrAtSeq) {
                    stale.add(c);
                }
            }
        }
        for (ConnectionState c : stale) {
            String k = c.key().text();
            if (!c.stuckEmitted()) {
                deadlines.remove(c.fireAt(), k);
            } else {
                out.emit(Anomalies.resolved(c, Math.max(endedAt, c.enteredAt()), TcpState.GONE));
            }
            ended(k, c, endedAt, Math.max(0, endedAt - c.enteredAt()));
        }
        return stale;
    }

    /** When the earliest deadline not yet fired comes due (epoch ms); {@link Long#MAX_VALUE} when none is open. */
    long nextDeadline() {
        return deadlines.first();
    }

    /** Raises STUCK for the entries due by {@code now} whose host is being heard; parks the others. */
    void fireDue(long now, HostTracker hosts, AnomalyOutput out) {
        for (DeadlineIndex.Due due : deadlines.due(now, settings.dueBatch())) {
            ConnectionState c = connections.get(due.connectionKey());
            deadlines.remove(due.fireAt(), due.connectionKey());
            if (c == null || c.stuckEmitted() || DeadlineIndex.slot(c.fireAt()) != due.fireAt()) {
                continue;
            }
            if (!hosts.isFresh(c.key().host(), now)) {
                hosts.park(c.key().host());
                continue;
            }
            if (c.orphaned() && !hosts.hasReadThrough(c.key().host(), c.fireAt())) {
                // The kernel reaps an orphan by itself, so only a poll past its deadline plus grace that still saw it
                // proves it stuck. A detector behind its input (a backlog at start, a busy host) has not read that poll
                // yet, and its GONE may be among what it has still to read: wait for the collector, not the clock.
                awaitingPoll.computeIfAbsent(c.key().host(), h -> new ArrayList<>()).add(due);
                continue;
            }
            raiseStuck(c, now, out);
        }
    }

    /** A heartbeat of the host was read: its orphans waiting for a poll past their deadline are judged again. */
    void polled(String host) {
        List<DeadlineIndex.Due> waiting = awaitingPoll.remove(host);
        if (waiting != null) {
            waiting.forEach(d -> deadlines.add(d.fireAt(), d.connectionKey()));
        }
    }

    /** Re-arms the deadlines of a host that is heard again; those already past fire at the next punctuation. */
    void rearm(String host) {
        List<ConnectionState> pending = new ArrayList<>();
        try (KeyValueIterator<String, ConnectionState> it = connections.prefixScan(StoreKeys.hostPrefix(host), KEYS)) {
            while (it.hasNext()) {
                ConnectionState c = it.next().value;
                if (!c.stuckEmitted()) {
                    pending.add(c);
                }
            }
        }
        for (ConnectionState c : pending) {
            deadlines.add(c.fireAt(), c.key().text());
        }
    }

    private void count(ConnectionState c, long delta) {
        if (c.closeWait()) {
            // The FIN_WAIT2 gauges stay FIN_WAIT2's: CLOSE_WAIT has its own counts (finwatch-open-close-wait).
            counts.closeWait.add(StoreKeys.host(c.key().host()), c.orphaned(), delta);
            counts.closeWait.add(c.processKey(), c.orphaned(), delta);
            return;
        }
        counts.finWait2Hosts.add(StoreKeys.host(c.key().host()), c.orphaned(), delta);
        counts.finWait2Processes.add(c.processKey(), c.orphaned(), delta);
        counts.finWait2Workloads.add(workloadKey(c, StoreKeys.WORKLOAD_OPEN), c.orphaned(), delta);
        openMetric.add(c.orphaned(), delta);
        if (c.stuckEmitted()) {
            stuck(c, delta);
        }
    }

    /** A STUCK episode counted on its workload's gauge and in the workload's stuck counts, until it ends. */
    private void stuck(ConnectionState c, long delta) {
        openMetric.stuck(workload(c), delta);
        counts.finWait2Workloads.add(workloadKey(c, StoreKeys.WORKLOAD_STUCK), c.orphaned(), delta);
    }

    /** The open-counts key of the episode's workload: its pod's when known, else its process's name on its host. */
    private static String workloadKey(ConnectionState c, String field) {
        WorkloadLabels w = workload(c);
        String kind = c.pod() == null || c.pod().getWorkloadName() == null ? "" : c.pod().getWorkloadKind();
        return StoreKeys.workload(w.host(), field, w.k8sNamespace(), kind, w.workload());
    }

    /**
     * Whether a transition's pod says more than the episode's: a pod where there was none, or names for the same pod
     * (a collector's API view that synced after the episode began). Never names taken away: a collector restarted
     * without API access re-reports the pod by its UID alone.
     */
    static boolean namesMore(PodIdentity seen, PodIdentity kept) {
        if (seen == null || seen.equals(kept)) {
            return false;
        }
        if (kept == null || !kept.getPodUid().equals(seen.getPodUid())) {
            return kept == null;
        }
        return seen.getWorkloadName() != null || seen.getPodName() != null;
    }

    /** Who the alerting gauges charge a stuck episode to: its host and its pod's workload (its process outside one). */
    private static WorkloadLabels workload(ConnectionState c) {
        return c.workload();
    }
}
