package io.finwatch.streams.detect;

import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.streams.state.StoreKeys;
import java.util.List;

/**
 * A socket in FIN_WAIT2, as the connections store holds it.
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
 * @param state          the state of the episode: FIN_WAIT2 or CLOSE_WAIT (never null here; FIN_WAIT2 for episodes stored
 *                       before CLOSE_WAIT was tracked)
 * @param conntrack      the connection's NAT translations as its collector found them, or null
 * @param verdict        the verdict last emitted for the episode (its STUCK or an UPDATED); null before its STUCK
 */
public record ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                              Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                              long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ,
                              TcpState state, List<ConntrackEntry> conntrack, Verdict verdict) {

    public ConnectionState {
        state = state == null ? TcpState.FIN_WAIT2 : state;
    }

    /** A FIN_WAIT2 episode as stored before CLOSE_WAIT, NAT and verdicts were kept. */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq, ShutdownFlags shutdown, Long recvQ, Long sendQ) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, TcpState.FIN_WAIT2, null, null);
    }

    /** An episode whose socket's shutdown flags and queues are unknown (state written before they were kept). */
    public ConnectionState(ConnectionKey key, long enteredAt, long deadline, long fireAt, boolean orphaned, int finTimeoutS,
                           Integer pid, String comm, String containerId, String collectorId, boolean stuckEmitted,
                           long pollIntervalMs, long lastSeenSeq) {
        this(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, stuckEmitted,
                pollIntervalMs, lastSeenSeq, null, null, null);
    }

    /** The same episode with the socket's facts from a newer transition. */
    public ConnectionState withFacts(ShutdownFlags newShutdown, Long newRecvQ, Long newSendQ) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, newShutdown, newRecvQ, newSendQ, state, conntrack, verdict);
    }

    public ConnectionState withStuckEmitted() {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId, true,
                pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, state, conntrack, verdict);
    }

    public ConnectionState orphanedWith(long newDeadline, long newFireAt, Integer ownerPid, String ownerComm, String ownerContainer,
                                        String reportingCollector) {
        return new ConnectionState(key, enteredAt, newDeadline, newFireAt, true, finTimeoutS, ownerPid, ownerComm, ownerContainer,
                reportingCollector, stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, state, conntrack, verdict);
    }

    /** The same episode, re-reported by a transition with {@code seq}. */
    public ConnectionState seenAt(long seq) {
        return seq <= lastSeenSeq ? this : new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm,
                containerId, collectorId, stuckEmitted, pollIntervalMs, seq, shutdown, recvQ, sendQ, state, conntrack, verdict);
    }

    /** The same episode with the NAT translations of a newer report. */
    public ConnectionState withConntrack(List<ConntrackEntry> entries) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, state, entries, verdict);
    }

    /** The same episode with the verdict just emitted for it. */
    public ConnectionState withVerdict(Verdict v) {
        return new ConnectionState(key, enteredAt, deadline, fireAt, orphaned, finTimeoutS, pid, comm, containerId, collectorId,
                stuckEmitted, pollIntervalMs, lastSeenSeq, shutdown, recvQ, sendQ, state, conntrack, v);
    }

    public boolean closeWait() {
        return state == TcpState.CLOSE_WAIT;
    }

    /** The open-counts and dwell key of the process this episode is attributed to. */
    public String processKey() {
        return StoreKeys.process(key.host(), pid, comm);
    }
}
