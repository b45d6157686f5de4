package io.finwatch.streams.detect;

import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.streams.metrics.WorkloadLabels;
import io.finwatch.streams.state.StoreKeys;
import java.util.List;

/**
 * A socket in FIN_WAIT2 or CLOSE_WAIT, as the connections store holds it.
 *
 * @param key            the socket
 * @param enteredAt      when it entered FIN_WAIT2 (epoch ms): the kernel's time when the collector read one
 *                       (state_since_source KERNEL), else observed_at of the poll that first saw it
 * @param deadline       when it should have left FIN_WAIT2: entered + the namespace's fin timeout, or for an
 *                       orphan the kernel's reap deadline (epoch ms)
 * @param fireAt         when it counts as stuck: the deadline for an attached socket, deadline + grace for an
 *                       orphan (epoch ms); the deadline index is keyed by it
 * @param orphaned       no process holds it (the kernel will reap it)
 * @param finTimeoutS    the namespace's tcp_fin_timeout it is judged against
 * @param pid            the process holding it, or for an orphan the last one that did; null when never seen
 * @param comm           that process's command name
 * @param containerId    that process's container
 * @param collectorId    the collector run that reported it last
 * @param stuckEmitted   a STUCK was emitted for this episode (so leaving it emits RESOLVED)
 * @param pollIntervalMs the host's poll interval when the episode began: an exit seen more than one interval
 *                       past fireAt proves the socket was still there after fireAt
 * @param lastSeenSeq    seq of the newest transition that reported the socket in FIN_WAIT2; a restarted collector
 *                       re-reports every socket it still sees, so an episode it did not re-report has ended
 * @param shutdown       the socket's shutdown flags as the transition that opened or last re-reported the episode
 *                       gave them; null when the collector could not tell
 * @param recvQ          its receive queue at that transition, or null
 * @param sendQ          its send queue at that transition, or null
 * @param pod            the owner's pod (SocketTransition.pod), null outside Kubernetes; its names may arrive with a
 *                       later transition, once the collector's view of the API is synced
 * @param state          the state of the episode: FIN_WAIT2 or CLOSE_WAIT (never null here; FIN_WAIT2 for episodes stored
 *                       before CLOSE_WAIT was tracked)
 * @param conntrack      the connection's NAT translations as its collector found them, or null
 * @param verdict        the verdict last emitted for the episode (its STUCK or an UPDATED); null before its STUCK
 * @param enteredAtSource where enteredAt came from: KERNEL (the socket's own time, exact) or OBSERVED (the poll that
 *                       first saw it); null in episodes stored before it was kept
 * @param reapAt         for an orphan, when the kernel will reap it, from its timer (epoch ms); null for an attached
 *                       socket and when the collector could not read the timer
 */
public record ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                              Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                              long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ,
                              PodIdentity pod, TcpState state, List<ConntrackEntry> conntrack, Verdict verdict,
                              StateSinceSource enteredAtSource, Long reapAt) {

    public ConnectionState {
        state = state == null ? TcpState.FIN_WAIT2 : state;
    }

    /** An episode whose entry time's source and reap time are unknown (state written before they were kept). */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ,
                           PodIdentity pod, TcpState state, List<ConntrackEntry> conntrack, Verdict verdict) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, conntrack, verdict, null, null);
    }

    /** An episode of a process in no known pod. */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ,
                           TcpState state, List<ConntrackEntry> conntrack, Verdict verdict) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, null, state, conntrack, verdict);
    }

    /** A FIN_WAIT2 episode as stored before CLOSE_WAIT, NAT and verdicts were kept. */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ,
                           PodIdentity pod) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, TcpState.FIN_WAIT2, null, null);
    }

    /** A FIN_WAIT2 episode of a process in no known pod, as stored before CLOSE_WAIT, NAT and verdicts were kept. */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, (PodIdentity) null);
    }

    /** An episode whose socket's shutdown flags and queues are unknown (state written before they were kept). */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, null, null, null);
    }

    /** The same episode with its owner's pod as a newer transition names it. */
    public ConnectionState withPod(PodIdentity newPod) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, newPod, state, conntrack, verdict,
                enteredAtSource, reapAt);
    }

    /** The same episode with the socket's facts from a newer transition. */
    public ConnectionState withFacts(ShutdownFlags newShutdown, Long newRecvQ, Long newSendQ) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, newShutdown, newRecvQ, newSendQ, pod, state, conntrack, verdict,
                enteredAtSource, reapAt);
    }

    public ConnectionState withStuckEmitted() {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, true,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, conntrack, verdict, enteredAtSource, reapAt);
    }

    /** @param newReapAt the kernel's reap time from the orphan's timer, or null when its collector could not read it */
    public ConnectionState orphanedWith(long newDeadline, long newFireAt, Integer ownerPid, String ownerComm, String ownerContainer,
                                        String reportingCollector, Long newReapAt) {
        return new ConnectionState(key, enteredAt, newDeadline, newFireAt, true, finTimeoutS, ownerPid, ownerComm, ownerContainer,
                reportingCollector, stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, conntrack, verdict,
                enteredAtSource, newReapAt);
    }

    /** The same episode, re-reported by a transition with {@code seq}. */
    public ConnectionState seenAt(long seq) {
        return seq <= lastSeenSeq ? this : new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, seq, shutdown, recvQ, sendQ, pod, state, conntrack, verdict, enteredAtSource,
                reapAt);
    }

    /** The same episode with the NAT translations of a newer report. */
    public ConnectionState withConntrack(List<ConntrackEntry> entries) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, entries, verdict,
                enteredAtSource, reapAt);
    }

    /** The same episode with the verdict just emitted for it. */
    public ConnectionState withVerdict(Verdict v) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, conntrack, v,
                enteredAtSource, reapAt);
    }

    /**
     * The same episode with where its entry time came from and, for an orphan, the kernel's reap time; used when it
     * opens, and when a later report gives the kernel's earlier entry time (the deadlines move with it).
     */
    public ConnectionState withEntry(long newEnteredAt, long newDeadline, long newFireAt, StateSinceSource source, Long newReapAt) {
        return new ConnectionState(key, newEnteredAt, newDeadline, newFireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, pod, state, conntrack, verdict, source, newReapAt);
    }

    /** Whether enteredAt is the kernel's own time in the state (exact), not the first poll that saw it. */
    public boolean enteredFromKernel() {
        return enteredAtSource == StateSinceSource.KERNEL;
    }

    public boolean closeWait() {
        return state == TcpState.CLOSE_WAIT;
    }

    /** The workload this episode is charged to on the gauges and in the per-workload counts. */
    public WorkloadLabels workload() {
        return WorkloadLabels.of(key.host(), pod == null ? null : pod.getK8sNamespace(),
                pod == null ? null : pod.getWorkloadName(), comm);
    }

    /** The open-counts and dwell key of the process this episode is attributed to. */
    public String processKey() {
        return StoreKeys.process(key.host(), pid, comm);
    }
}
