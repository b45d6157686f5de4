package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.finwatch.collector.socket.InetText;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.track.ConntrackEntry;
import io.finwatch.collector.track.ConntrackLookup;
import io.finwatch.collector.track.ConntrackPort;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.common.log.RateLimitedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks sockets' connections up in conntrack over ctnetlink ({@link CtNetlink}): one {@code IPCTNL_MSG_CT_GET} with
 * the socket's own view as the tuple, in the socket's namespace and in the host's (once when they are the same).
 *
 * <p>The entry lives in the table of the namespace that translates the connection: the host's for kube-proxy's
 * Service NAT, the pod's own for NAT inside it. A namespace whose rules use no conntrack tracks nothing, and a GET
 * there answers ENOENT like any miss. IPv4-mapped addresses are unmapped first: a Java client's
 * {@code ::ffff:a.b.c.d} socket sends IPv4 packets, and its entry is an IPv4 one.
 *
 * <p>One NETLINK_NETFILTER socket per namespace, made inside it on a {@link NetnsThread} and kept. The GETs of one
 * poll for one namespace go in batches of {@value #BATCH} per send(2), matched to their answers by sequence number.
 * The kernel answers every GET inside that send, so the answers are read without waiting; the batch is small enough
 * that its answers (about 4.5 KiB of receive buffer each) fit the default buffer. Every nfnetlink request needs
 * CAP_NET_ADMIN in the user namespace owning the network namespace: without it each GET gets EPERM, which is
 * counted and said in one rate-limited line, not per socket. Not thread-safe: one poll loop calls it.
 */
public final class ConntrackReader implements ConntrackPort, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConntrackReader.class);
    static final int BATCH = 32;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    private static final int RECEIVE_BYTES = 64 * 1024;

    private final Procfs procfs;
    private final LibC libc;
    private final Path hostLink;
    private final NetlinkSockets sockets;
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(10));
    private final Memory receive = new Memory(RECEIVE_BYTES);
    private final byte[] request = new byte[BATCH * CtNetlink.requestLength(16)];
    private int seq;

    /**
     * @param hostLink where the host's namespace is entered; null for pid 1's ({@code <procfs>/1/ns/net}), or the
     *                 collector's own when that cannot be read
     */
    ConntrackReader(Procfs procfs, LibC libc, NetnsThread entering, Path hostLink) {
        this.procfs = procfs;
        this.libc = libc;
        this.hostLink = hostLink;
        this.sockets = new NetlinkSockets(procfs, libc, entering, CtNetlink.NETLINK_NETFILTER);
    }

    /** One GET to make: socket {@code index} of the call, in the table {@code scope}. */
    private record Get(int index, ConntrackEntry.Scope scope, CtNetlink.Tuple tuple) {
    }

    /** What the GETs of one socket gave, filled as answers arrive. */
    private static final class Outcome {
        final List<ConntrackEntry> found = new ArrayList<>(1);
        int asked;
        int answered;
        int denied;
        int failed;
    }

    @Override
    public List<ConntrackLookup> lookup(NamespaceSet namespaces, List<SocketKey> keys) {
        Outcome[] outcomes = new Outcome[keys.size()];
        Map<Long, List<Get>> byNetns = new LinkedHashMap<>();
        long host = namespaces.hostNetns();
        for (int i = 0; i < keys.size(); i++) {
            outcomes[i] = new Outcome();
            SocketKey key = keys.get(i);
            CtNetlink.Tuple view = view(key);
            byNetns.computeIfAbsent(key.netns(), n -> new ArrayList<>())
                    .add(new Get(i, ConntrackEntry.Scope.SOCKET_NAMESPACE, view));
            if (host != 0 && host != key.netns()) {
                byNetns.computeIfAbsent(host, n -> new ArrayList<>())
                        .add(new Get(i, ConntrackEntry.Scope.HOST_NAMESPACE, view));
            }
        }
        for (Map.Entry<Long, List<Get>> e : byNetns.entrySet()) {
            long netns = e.getKey();
            List<Get> gets = e.getValue();
            int fd;
            try {
                fd = socketOf(netns, namespaces);
            } catch (IOException ex) {
                // One line for all namespaces: without CAP_SYS_ADMIN every pod namespace fails alike.
                warnings.warn("enter", "conntrack: cannot look up connections in netns {}: {} (only the host's table "
                        + "is asked for its sockets; finwatch_conntrack_errors counts these)", netns, ex.getMessage());
                gets.forEach(g -> outcomes[g.index()].failed++);
                continue;
            }
            for (int from = 0; from < gets.size(); from += BATCH) {
                List<Get> batch = gets.subList(from, Math.min(gets.size(), from + BATCH));
                if (!exchange(fd, netns, batch, outcomes)) {
                    sockets.drop(netns);
                    break;
                }
            }
        }
        List<ConntrackLookup> out = new ArrayList<>(outcomes.length);
        for (Outcome o : outcomes) {
            out.add(new ConntrackLookup(o.found, o.asked, o.answered, o.denied, o.failed));
        }
        return out;
    }

    private int socketOf(long netns, NamespaceSet namespaces) throws IOException {
        NetNamespace ns = namespaces.get(netns);
        if (ns != null) {
            return sockets.of(ns);
        }
        if (netns == namespaces.hostNetns()) {
            return sockets.at(hostLinkFor(netns), netns);
        }
        throw new IOException("no process is in it");
    }

    /** The configured host link, else pid 1's, else the collector's own: whichever is the namespace scanned as the host's. */
    private Path hostLinkFor(long netns) throws IOException {
        if (hostLink != null) {
            return hostLink;
        }
        for (Path link : List.of(procfs.pid(1, "ns", "net"), procfs.self("ns", "net"))) {
            try {
                if (NetnsScanner.readNetns(link) == netns) {
                    return link;
                }
            } catch (IOException unreadable) {
                // try the next
            }
        }
        throw new IOException("the host's namespace link cannot be read");
    }

    /**
     * Sends one batch and takes its answers into {@code outcomes}.
     *
     * @return false when the socket must not be used again (a send failed, or answers went missing)
     */
    private boolean exchange(int fd, long netns, List<Get> batch, Outcome[] outcomes) {
        ByteBuffer out = ByteBuffer.wrap(request).order(ByteOrder.nativeOrder());
        Map<Integer, Get> pending = new LinkedHashMap<>(batch.size() * 2);
        for (Get g : batch) {
            int s = ++seq;
            CtNetlink.putRequest(out, s, g.tuple());
            pending.put(s, g);
            outcomes[g.index()].asked++;
        }
        try {
            libc.send(fd, request, new NativeLong(out.position()), 0);
        } catch (LastErrorException e) {
            warnings.warn("send " + netns, "conntrack: send to netns {} failed: {}", netns, e.getMessage());
            pending.values().forEach(g -> outcomes[g.index()].failed++);
            return false;
        }
        boolean overrun = false;
        boolean refused = false;
        while (!pending.isEmpty()) {
            long n;
            try {
                n = libc.recv(fd, receive, new NativeLong(RECEIVE_BYTES), MSG_DONTWAIT).longValue();
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ENOBUFS) {
                    overrun = true;
                    continue;
                }
                if (e.getErrorCode() != EAGAIN) {
                    warnings.warn("recv " + netns, "conntrack: receive from netns {} failed: {}", netns, e.getMessage());
                }
                break;
            }
            if (n <= 0) {
                break;
            }
            ByteBuffer in = receive.getByteBuffer(0, n).order(ByteOrder.nativeOrder());
            try {
                while (in.remaining() >= CtNetlink.NLMSG_HDRLEN) {
                    CtNetlink.Answer a = CtNetlink.next(in);
                    Get g = a == null ? null : pending.remove(a.seq());
                    if (g != null) {
                        take(a, g, netns, outcomes[g.index()]);
                        refused |= a.entry() == null && a.errno() == CtNetlink.EPERM;
                    }
                }
            } catch (IllegalArgumentException malformed) {
                warnings.warn("decode " + netns, "conntrack: malformed answer from netns {}: {}", netns,
                        malformed.getMessage());
                break;
            }
        }
        if (refused) {
            // nfnetlink checks the capability once per send and answers only the first message of a refused one.
            pending.values().forEach(g -> outcomes[g.index()].denied++);
            return true;
        }
        if (!pending.isEmpty()) {
            warnings.warn("lost " + netns, "conntrack: {} of {} lookups in netns {} got no answer{}", pending.size(),
                    batch.size(), netns, overrun ? " (receive buffer overrun)" : "");
            pending.values().forEach(g -> outcomes[g.index()].failed++);
            return false;
        }
        return true;
    }

    private void take(CtNetlink.Answer a, Get g, long netns, Outcome o) {
        if (a.entry() != null) {
            o.answered++;
            o.found.add(entry(g.scope(), a.entry()));
        } else if (a.errno() == CtNetlink.ENOENT) {
            o.answered++;
        } else if (a.errno() == CtNetlink.EPERM) {
            o.denied++;
            warnings.warn("eperm", "conntrack: lookups refused (EPERM) in netns {}: no CAP_NET_ADMIN there; closing "
                    + "sockets go without their NAT translation (finwatch_conntrack_lookups_denied counts them; "
                    + "--no-conntrack turns lookups off)", netns);
        } else {
            o.failed++;
            warnings.warn("errno " + netns, "conntrack: lookup in netns {} failed with errno {}", netns, a.errno());
        }
    }

    /** The socket's own view as a conntrack tuple: local is the source; IPv4-mapped addresses unmapped. */
    static CtNetlink.Tuple view(SocketKey key) {
        return new CtNetlink.Tuple(unmapped(key.family(), key.localHi(), key.localLo()), key.localPort(),
                unmapped(key.family(), key.remoteHi(), key.remoteLo()), key.remotePort());
    }

    private static byte[] unmapped(int family, long hi, long lo) {
        if (family == 6 && hi == 0 && (lo >>> 32) == 0xffffL) {
            return InetText.bytes(4, 0, lo & 0xffffffffL);
        }
        return InetText.bytes(family, hi, lo);
    }

    private static ConntrackEntry entry(ConntrackEntry.Scope scope, CtNetlink.Entry e) {
        return new ConntrackEntry(scope, e.zone(), tuple(e.orig()), tuple(e.reply()), e.translated());
    }

    private static ConntrackEntry.Tuple tuple(CtNetlink.Tuple t) {
        return new ConntrackEntry.Tuple(text(t.src()), t.srcPort(), text(t.dst()), t.dstPort());
    }

    /** As the socket's own addresses are written (InetText: RFC 5952 for IPv6). */
    static String text(byte[] address) {
        if (address.length == 4) {
            return InetText.format(4, 0, ByteBuffer.wrap(address).getInt() & 0xffffffffL);
        }
        ByteBuffer b = ByteBuffer.wrap(address);
        return InetText.format(6, b.getLong(), b.getLong());
    }

    /** Closes the sockets of namespaces not in {@code live}; the host's is kept while it is scanned as the host. */
    void retain(NamespaceSet namespaces) {
        Set<Long> live = new HashSet<>(namespaces.byInode().keySet());
        live.add(namespaces.hostNetns());
        sockets.retain(live);
    }

    @Override
    public void close() {
        sockets.close();
    }
}
