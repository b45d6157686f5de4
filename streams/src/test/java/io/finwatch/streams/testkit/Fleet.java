package io.finwatch.streams.testkit;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Collectors of several hosts with namespaces of chosen addresses, for the pairing path: each {@link Host} numbers its
 * own events, and an {@link End} is one socket with the view its table shows and the conntrack entries its collector
 * found.
 */
public final class Fleet {

    public static final long INTERVAL_MS = 1000;
    public static final int FIN_TIMEOUT_S = 60;

    private Fleet() {
    }

    public static final class Host {
        private final String name;
        private final long netns;
        private final List<String> addresses;
        private final Instant startedAt;
        private final String collectorId;
        private long seq;

        public Host(String name, long netns, List<String> addresses, Instant startedAt) {
            this(name, name + "-c", netns, addresses, startedAt);
        }

        /** A host whose events carry this collector id (several collectors of one host each number their own). */
        public Host(String name, String collectorId, long netns, List<String> addresses, Instant startedAt) {
            this.collectorId = collectorId;
            this.name = name;
            this.netns = netns;
            this.addresses = addresses;
            this.startedAt = startedAt;
        }

        public String name() {
            return name;
        }

        public long lastSeq() {
            return seq;
        }

        public CollectorHeartbeat heartbeat(Instant at) {
            return CollectorHeartbeat.newBuilder()
                    .setHost(name).setCollectorId(collectorId).setEpoch(1).setSeq(++seq).setObservedAt(at).setStartedAt(startedAt)
                    .setCollectorVersion("test").setIntervalMs(INTERVAL_MS)
                    .setNamespaces(List.of(NamespaceInfo.newBuilder().setNetns(netns).setFinTimeoutS(FIN_TIMEOUT_S)
                            .setFinTimeoutSource(FinTimeoutSource.NAMESPACE).setRepresentativePid(1).setSockets(10)
                            .setAddresses(addresses).build()))
                    .setStateCounts(Map.of()).setFinWait2Attached(0).setFinWait2Orphaned(0).setSocketsSeen(10)
                    .setPollDurationUs(100).setParseErrors(0).setReadErrors(0).setShedEvents(0).setShedRanges(List.of())
                    .setBufferCorruptRecords(0).build();
        }

        /** A socket of this host's namespace with this view; {@code pid} holds it. */
        public End end(String localIp, int localPort, String remoteIp, int remotePort, int pid, String comm) {
            return new End(this, localIp, localPort, remoteIp, remotePort, pid, comm);
        }
    }

    public static final class End {
        private final Host host;
        private final String localIp;
        private final int localPort;
        private final String remoteIp;
        private final int remotePort;
        private final int pid;
        private final String comm;
        private List<ConntrackEntry> conntrack;
        private TcpState state;

        End(Host host, String localIp, int localPort, String remoteIp, int remotePort, int pid, String comm) {
            this.host = host;
            this.localIp = localIp;
            this.localPort = localPort;
            this.remoteIp = remoteIp;
            this.remotePort = remotePort;
            this.pid = pid;
            this.comm = comm;
        }

        /** The translation its collector found: orig src/dst, reply src/dst as "ip:port". */
        public End nat(ConntrackScope scope, String origSrc, String origDst, String replySrc, String replyDst) {
            this.conntrack = List.of(ConntrackEntry.newBuilder().setScope(scope).setZone(0)
                    .setOrigSrcIp(ip(origSrc)).setOrigSrcPort(port(origSrc)).setOrigDstIp(ip(origDst)).setOrigDstPort(port(origDst))
                    .setReplySrcIp(ip(replySrc)).setReplySrcPort(port(replySrc)).setReplyDstIp(ip(replyDst)).setReplyDstPort(port(replyDst))
                    .setTranslated(true).build());
            return this;
        }

        public Host host() {
            return host;
        }

        /** The socket moves to {@code to} (first seen when it had no state yet), with {@code recvQ} unread bytes. */
        public SocketTransition to(TcpState to, Instant at, Long recvQ) {
            TcpState from = state;
            state = to;
            boolean gone = to == TcpState.GONE;
            return SocketTransition.newBuilder()
                    .setHost(host.name).setCollectorId(host.collectorId).setEpoch(1).setSeq(++host.seq).setObservedAt(at)
                    .setNetns(host.netns).setFamily(localIp.contains(":") ? 6 : 4).setLocalIp(localIp).setLocalPort(localPort)
                    .setRemoteIp(remoteIp).setRemotePort(remotePort).setOrdinal(0).setFromState(from).setToState(to)
                    .setInode(gone ? 0 : 70_000L + localPort).setUid(0).setOrphaned(gone).setTimer(TimerKind.OFF).setTimerMs(0)
                    .setPid(gone ? null : pid).setComm(gone ? null : comm)
                    .setFinTimeoutS(FIN_TIMEOUT_S).setFinTimeoutSource(FinTimeoutSource.NAMESPACE)
                    .setRecvQ(gone ? null : recvQ).setConntrack(conntrack)
                    .build();
        }

        public SocketTransition to(TcpState to, Instant at) {
            return to(to, at, 0L);
        }
    }

    private static String ip(String endpoint) {
        return endpoint.substring(0, endpoint.lastIndexOf(':'));
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }
}
