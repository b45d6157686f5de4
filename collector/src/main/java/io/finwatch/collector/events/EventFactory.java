package io.finwatch.collector.events;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.track.FinTimeout;
import io.finwatch.collector.track.LastOwner;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.Owner;
import io.finwatch.collector.track.PollResult;
import io.finwatch.collector.track.ProcessInfo;
import io.finwatch.collector.track.ReapTime;
import io.finwatch.collector.track.SocketChange;
import io.finwatch.collector.track.StateCounts;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns a poll's changes and totals into the Avro events the collector ships. */
public final class EventFactory {
    private final String host;
    private final String collectorId;

    public EventFactory(String host, String collectorId) {
        this.host = host;
        this.collectorId = collectorId;
    }

    public String host() {
        return host;
    }

    public String collectorId() {
        return collectorId;
    }

    public SocketTransition transition(SocketChange change, PollResult poll, long seq) {
        // A GONE event describes the socket as last seen.
        boolean gone = change.after() == null;
        SocketRow row = gone ? change.before() : change.after();
        SocketKey key = row.key();
        FinTimeout fin = poll.finTimeoutOf(key.netns());
        Owner owner = change.after() != null ? poll.ownerOf(row) : null;
        LastOwner last = poll.lastOwnerOf(row);
        Instant observed = poll.observedAt();
        Long reapAt = ReapTime.reapAtMs(row, observed.toEpochMilli(), fin == null ? 0 : fin.seconds());
        return SocketTransition.newBuilder()
                .setHost(host)
                .setCollectorId(collectorId)
                .setSeq(seq)
                .setObservedAt(observed)
                .setNetns(key.netns())
                .setFamily(key.family())
                .setLocalIp(key.localIp())
                .setLocalPort(key.localPort())
                .setRemoteIp(key.remoteIp())
                .setRemotePort(key.remotePort())
                .setOrdinal(key.ordinal())
                .setFromState(change.before() == null ? null : state(change.before().state()))
                .setToState(change.after() == null ? TcpState.GONE : state(change.after().state()))
                .setInode(row.inode())
                .setUid(row.uid())
                .setOrphaned(row.orphaned())
                .setTimer(timer(row.timer()))
                .setTimerMs(row.timerMs())
                // Only a reap timer ends an orphan (ReapTime); an attached socket has no such deadline.
                .setReapDeadline(reapAt == null ? null : Instant.ofEpochMilli(reapAt))
                .setPid(owner == null ? null : owner.process().pid())
                .setComm(owner == null ? null : owner.process().comm())
                .setContainerId(owner == null ? null : owner.process().containerId())
                .setLastOwner(last == null ? null : owner(last))
                .setFinTimeoutS(fin == null ? 0 : fin.seconds())
                .setFinTimeoutSource(fin == null ? FinTimeoutSource.HOST_FALLBACK : source(fin))
                .setShutdown(gone ? null : shutdown(row.shutdown()))
                .setStateSinceMs(gone || row.stateSinceMs() == 0 ? null : row.stateSinceMs())
                .setStateSinceSource(gone || row.stateSinceMs() == 0 ? null
                        : row.sinceKernel() ? StateSinceSource.KERNEL : StateSinceSource.OBSERVED)
                .setRecvQ(row.rxQueue())
                .setSendQ(row.txQueue())
                .setReapAtMs(reapAt)
                .setConntrack(ConntrackEvents.of(poll.conntrack().entriesOf(change)))
                .build();
    }

    static ShutdownFlags shutdown(io.finwatch.collector.socket.Shutdown s) {
        return s == null ? null : ShutdownFlags.valueOf(s.name());
    }

    /** Totals of one poll plus the collector's cumulative counters. */
    public CollectorHeartbeat heartbeat(PollResult poll, long seq, HeartbeatCounters counters) {
        StateCounts counts = poll.stateCounts();
        Map<String, Long> perState = new LinkedHashMap<>();
        for (io.finwatch.collector.socket.TcpState state : io.finwatch.collector.socket.TcpState.values()) {
            if (counts.of(state) != 0) {
                perState.put(state.name(), counts.of(state));
            }
        }
        List<NamespaceInfo> namespaces = new ArrayList<>();
        for (NetNamespace ns : poll.namespaces().namespaces()) {
            FinTimeout fin = poll.finTimeoutOf(ns.inode());
            namespaces.add(NamespaceInfo.newBuilder()
                    .setNetns(ns.inode())
                    .setFinTimeoutS(fin == null ? 0 : fin.seconds())
                    .setFinTimeoutSource(fin == null ? FinTimeoutSource.HOST_FALLBACK : source(fin))
                    .setRepresentativePid(ns.representativePid())
                    .setSockets(poll.socketsPerNetns().getOrDefault(ns.inode(), 0))
                    .setAddresses(poll.addresses().get(ns.inode()))
                    .build());
        }
        List<SeqRange> shed = new ArrayList<>();
        for (io.finwatch.collector.buffer.SeqRange r : counters.shedRanges()) {
            shed.add(new SeqRange(r.first(), r.last()));
        }
        return CollectorHeartbeat.newBuilder()
                .setHost(host)
                .setCollectorId(collectorId)
                .setSeq(seq)
                .setObservedAt(poll.observedAt())
                .setStartedAt(counters.startedAt())
                .setCollectorVersion(counters.version())
                .setIntervalMs(counters.intervalMs())
                .setNamespaces(namespaces)
                .setStateCounts(perState)
                .setFinWait2Attached(counts.finWait2Attached())
                .setFinWait2Orphaned(counts.finWait2Orphaned())
                .setSocketsSeen(poll.table().size())
                .setPollDurationUs(poll.durationNanos() / 1000)
                .setParseErrors(counters.parseErrors())
                .setReadErrors(counters.readErrors())
                .setShedEvents(counters.shedEvents())
                .setShedRanges(shed)
                .setBufferCorruptRecords(counters.corruptRecords())
                .setFullTableFromSeq(counters.fullTableFromSeq())
                .build();
    }

    /**
     * The collector's cumulative state that a heartbeat reports; shed ranges are those since the last heartbeat;
     * {@code fullTableFromSeq} is the first seq of this poll when it reported the whole table (else null).
     */
    public record HeartbeatCounters(Instant startedAt, String version, long intervalMs, long parseErrors,
                                    long readErrors, long shedEvents,
                                    List<io.finwatch.collector.buffer.SeqRange> shedRanges, long corruptRecords,
                                    Long fullTableFromSeq) {
    }

    private static io.finwatch.schemas.Owner owner(LastOwner last) {
        ProcessInfo p = last.owner().process();
        return io.finwatch.schemas.Owner.newBuilder()
                .setPid(p.pid())
                .setComm(p.comm())
                .setStartTimeTicks(p.startTimeTicks())
                .setUid(p.uid())
                .setContainerId(p.containerId())
                .setSeenAt(last.seenAt())
                .build();
    }

    static TcpState state(io.finwatch.collector.socket.TcpState s) {
        return TcpState.valueOf(s.name());
    }

    static TimerKind timer(io.finwatch.collector.socket.TimerKind t) {
        return TimerKind.valueOf(t.name());
    }

    static FinTimeoutSource source(FinTimeout fin) {
        return fin.source() == FinTimeout.Source.NAMESPACE ? FinTimeoutSource.NAMESPACE : FinTimeoutSource.HOST_FALLBACK;
    }
}
