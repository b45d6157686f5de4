package io.finwatch.collector.track;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One poll of every namespace's socket table.
 *
 * @param observedAt    when the poll started (the collector's clock)
 * @param namespaces    the namespaces found and the pid each was read through
 * @param finTimeouts   each namespace's tcp_fin_timeout and where it came from
 * @param table         every socket of every namespace
 * @param changes       what changed since the previous poll (the first poll reports every socket as first seen)
 * @param owners        socket inode to its process, or null, for attached sockets (always null when attribution
 *                      is off); it reads the owner index, so it is valid until the next poll: consume a result
 *                      before polling again
 * @param lastOwners    for orphaned sockets, and for sockets gone in this poll: the process that held them
 *                      while attached, if it was seen
 * @param errors        malformed lines met in this poll (the rest of each file was still read)
 * @param readFailures  tables that could not be read at all (e.g. every pid of a namespace exited mid-poll)
 * @param socketsPerNetns sockets read per namespace
 * @param unsettledOnly the namespaces read without their ESTABLISHED and LISTEN sockets ({@link ReadScope}); their
 *                      rows in those states are carried from earlier polls; every other namespace was read whole
 *                      or not at all
 * @param unread        the namespaces not read at all ({@link ReadScope#NONE}): the kernel announced no change there
 *                      since they were last read; their rows are carried as they were
 * @param stateCounts   the table's sockets per state
 * @param ownerStats    what finding owners has cost and found so far (the very {@link OwnerStats#NONE} without
 *                      attribution: the heartbeat then carries no owner_lookup)
 * @param durationNanos wall time of the poll
 * @param conntrack     the conntrack entries this poll's changes carry, and the lookups' counters
 *                      ({@link ConntrackView#NONE} with lookups off)
 * @param addresses     each namespace's interface addresses, where they were read (empty when not read)
 * @param podOfNetns    namespace inode to the UID of the pod whose network namespace it is, for pods' namespaces
 * @param pods          the node's pods through the Kubernetes API, for names ({@link PodPort#NONE} without)
 */
public record PollResult(Instant observedAt,
                         NamespaceSet namespaces,
                         Map<Long, FinTimeout> finTimeouts,
                         SocketTable table,
                         List<SocketChange> changes,
                         LongFunction<Owner> owners,
                         Map<SocketKey, LastOwner> lastOwners,
                         List<ParseError> errors,
                         List<String> readFailures,
                         Map<Long, Integer> socketsPerNetns,
                         Set<Long> unsettledOnly,
                         Set<Long> unread,
                         StateCounts stateCounts,
                         OwnerStats ownerStats,
                         long durationNanos,
                         ConntrackView conntrack,
                         Map<Long, List<String>> addresses,
                         Map<Long, String> podOfNetns,
                         PodPort pods) {

    /** The process holding an attached row now; null for an orphan, or when no holder was found. */
    public Owner ownerOf(SocketRow row) {
        return row.inode() != 0 ? owners.apply(row.inode()) : null;
    }

    /** The process that last held the socket while attached: the current owner, or the remembered one. */
    public LastOwner lastOwnerOf(SocketRow row) {
        Owner now = ownerOf(row);
        return now != null ? new LastOwner(now, observedAt) : lastOwners.get(row.key());
    }

    /** The fin timeout for a namespace; a namespace seen for the first time always has one. */
    public FinTimeout finTimeoutOf(long netns) {
        return finTimeouts.get(netns);
    }
}
