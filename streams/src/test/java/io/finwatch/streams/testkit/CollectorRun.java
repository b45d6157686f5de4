package io.finwatch.streams.testkit;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.Owner;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run of a collector on one host, as a test writes it: every event takes the run's next sequence
 * number (shared by transitions and heartbeats, as the real collector does) and the run's current time.
 */
public final class CollectorRun {

    public static final long NETNS = 4026531840L;

    private final String host;
    private final String collectorId;
    private final long intervalMs;
    private int finTimeoutS;
    private long seq;
    /** The first number of the run, as collectors of schema v3 on send it in every heartbeat. */
    private long firstSeq = 1;
    private long epoch;
    private Instant now;
    private final Instant startedAt;

    public CollectorRun(String host, String collectorId, Instant start, long intervalMs, int finTimeoutS) {
        this.host = host;
        this.collectorId = collectorId;
        this.now = start;
        this.startedAt = start;
        this.intervalMs = intervalMs;
        this.finTimeoutS = finTimeoutS;
    }

    public String host() {
        return host;
    }

    public String collectorId() {
        return collectorId;
    }

    public Instant now() {
        return now;
    }

    public CollectorRun at(Instant t) {
        this.now = t;
        return this;
    }

    /** Sets the fin timeout reported from now on (the namespace's sysctl changed, or another namespace). */
    public CollectorRun finTimeout(int seconds) {
        this.finTimeoutS = seconds;
        return this;
    }

    /** Events from now on carry {@code e} as their epoch (0, the default: a collector from before epochs). */
    public CollectorRun epoch(long e) {
        this.epoch = e;
        return this;
    }

    /**
     * Continues the sequence from {@code next} (a second writer for the same run, e.g. a heartbeat thread); before the
     * run's first event, the run numbers from there.
     */
    public CollectorRun seqFrom(long next) {
        if (seq == 0) {
            firstSeq = next;
        }
        this.seq = next - 1;
        return this;
    }

    public long lastSeq() {
        return seq;
    }

    /** A socket of this host: loopback client port {@code port} to server 8080. */
    public Socket socket(int port) {
        return new Socket(port, 0);
    }

    /** A process holding sockets. */
    public record Proc(int pid, String comm, String containerId) {
        public Owner owner(Instant seenAt) {
            return Owner.newBuilder().setPid(pid).setComm(comm).setStartTimeTicks(1000L + pid).setUid(0).setContainerId(containerId)
                    .setSeenAt(seenAt).build();
        }
    }

    public record Socket(int port, int ordinal) {
    }

    /** A transition of an attached socket (held by {@code proc}). */
    public SocketTransition attached(Socket s, TcpState from, TcpState to, Proc proc) {
        return base(s, from, to).setInode(50_000L + s.port()).setOrphaned(false).setTimer(TimerKind.OFF).setTimerMs(0)
                .setPid(proc.pid()).setComm(proc.comm()).setContainerId(proc.containerId()).setLastOwner(proc.owner(now)).build();
    }

    /** A transition of an orphaned socket, last held by {@code lastOwner}, reaped by the kernel {@code timerMs} from now. */
    public SocketTransition orphan(Socket s, TcpState from, TcpState to, Proc lastOwner, long timerMs) {
        return base(s, from, to).setInode(0).setOrphaned(true).setTimer(TimerKind.TIMEWAIT).setTimerMs(timerMs)
                .setReapDeadline(now.plusMillis(timerMs)).setLastOwner(lastOwner == null ? null : lastOwner.owner(now)).build();
    }

    /** The socket left the table. */
    public SocketTransition gone(Socket s, TcpState from) {
        return base(s, from, TcpState.GONE).setInode(0).setOrphaned(true).setTimer(TimerKind.OFF).setTimerMs(0).build();
    }

    private SocketTransition.Builder base(Socket s, TcpState from, TcpState to) {
        return SocketTransition.newBuilder()
                .setHost(host).setCollectorId(collectorId).setEpoch(epoch).setSeq(++seq).setObservedAt(now)
                .setNetns(NETNS).setFamily(4).setLocalIp("127.0.0.1").setLocalPort(s.port()).setRemoteIp("127.0.0.1").setRemotePort(8080)
                .setOrdinal(s.ordinal()).setFromState(from).setToState(to).setUid(0)
                .setFinTimeoutS(finTimeoutS).setFinTimeoutSource(FinTimeoutSource.NAMESPACE);
    }

    public CollectorHeartbeat heartbeat() {
        return heartbeat(Map.of("ESTABLISHED", 10L), 0, 0);
    }

    /**
     * The heartbeat that closes a run's first poll, which reported each of the {@code sockets} it saw as first
     * seen (that count is what a detector uses to tell the new run's events from the old run's).
     */
    public CollectorHeartbeat heartbeatAfterFirstPoll(long sockets) {
        CollectorHeartbeat hb = heartbeat();
        hb.setSocketsSeen(sockets);
        return hb;
    }

    /**
     * The heartbeat of a poll that re-sent the whole table (schema v2 marker), whose transitions started at
     * {@code fromSeq}.
     */
    public CollectorHeartbeat heartbeatAfterFullTable(long fromSeq) {
        CollectorHeartbeat hb = heartbeat();
        hb.setFullTableFromSeq(fromSeq);
        return hb;
    }

    public CollectorHeartbeat heartbeat(Map<String, Long> stateCounts, long attached, long orphaned) {
        return CollectorHeartbeat.newBuilder()
                .setHost(host).setCollectorId(collectorId).setEpoch(epoch).setEpochFirstSeq(firstSeq).setSeq(++seq).setObservedAt(now)
                .setStartedAt(startedAt)
                .setCollectorVersion("test").setIntervalMs(intervalMs)
                .setNamespaces(List.of(NamespaceInfo.newBuilder().setNetns(NETNS).setFinTimeoutS(finTimeoutS)
                        .setFinTimeoutSource(FinTimeoutSource.NAMESPACE).setRepresentativePid(1).setSockets(10).build()))
                .setStateCounts(stateCounts).setFinWait2Attached(attached).setFinWait2Orphaned(orphaned).setSocketsSeen(10)
                .setPollDurationUs(100).setParseErrors(0).setReadErrors(0).setShedEvents(0).setShedRanges(List.of())
                .setBufferCorruptRecords(0).build();
    }
}
