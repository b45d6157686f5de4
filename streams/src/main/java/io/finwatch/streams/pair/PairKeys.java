package io.finwatch.streams.pair;

import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.streams.state.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The key set of one end of a connection (docs/research/both-ends/FINDINGS.md section 3): the two endpoints of its own
 * view, in a fixed order, plus, for each conntrack entry that translated the connection and that this view is one
 * direction of, the two endpoints of the entry's other direction. Two ends are one connection when their sets share a
 * key, and the smallest shared key owns the pair. No single key would do: the client's view names a Service IP under
 * DNAT, the server's the SNAT address, and under NAT in the server's own namespace only the client's view is on the wire.
 *
 * <p>An endpoint is address and port, {@code ::ffff:a.b.c.d} unmapped to {@code a.b.c.d}; a key orders its two
 * endpoints by address text, then port, and reads {@code ipA|portA|ipB|portB}. A key with a loopback, link-local or
 * unspecified address is not unique across the fleet: it gets the end's host and network namespace appended, so
 * only the two ends of one namespace's loopback connection meet.
 */
public final class PairKeys {

    private PairKeys() {
    }

    /**
     * One key of an end, with which of its endpoints is the end itself.
     *
     * @param key      the connection key
     * @param meIp     the end's own address as this key has it (its view's local, or how the other side addresses it)
     * @param mePort   its port
     * @param peerIp   the other end's address as this key has it
     * @param peerPort its port
     */
    public record Keyed(String key, String meIp, int mePort, String peerIp, int peerPort) {

        /** Whether {@code other}, under the same key, is the opposite end of the same connection. */
        public boolean opposite(Keyed other) {
            return key.equals(other.key) && meIp.equals(other.peerIp) && mePort == other.peerPort && peerIp.equals(other.meIp)
                    && peerPort == other.mePort;
        }
    }

    /** The key set of an end: its own view first, then the translated views, without repeats. */
    public static List<Keyed> of(String host, long netns, String localIp, int localPort, String remoteIp, int remotePort,
                                 List<ConntrackEntry> conntrack) {
        String local = unmap(localIp);
        String remote = unmap(remoteIp);
        List<Keyed> out = new ArrayList<>(2);
        out.add(keyed(host, netns, local, localPort, remote, remotePort));
        if (conntrack != null) {
            for (ConntrackEntry e : conntrack) {
                if (!e.getTranslated()) {
                    continue;
                }
                Keyed other = null;
                if (same(local, localPort, e.getOrigSrcIp(), e.getOrigSrcPort()) && same(remote, remotePort, e.getOrigDstIp(), e.getOrigDstPort())) {
                    // This end sent the first packet: the peer sees it as the reply's destination.
                    other = keyed(host, netns, unmap(e.getReplyDstIp()), e.getReplyDstPort(), unmap(e.getReplySrcIp()), e.getReplySrcPort());
                } else if (same(local, localPort, e.getReplySrcIp(), e.getReplySrcPort())
                        && same(remote, remotePort, e.getReplyDstIp(), e.getReplyDstPort())) {
                    // This end answered: the peer addressed it as the original destination.
                    other = keyed(host, netns, unmap(e.getOrigDstIp()), e.getOrigDstPort(), unmap(e.getOrigSrcIp()), e.getOrigSrcPort());
                }
                if (other != null && !contains(out, other.key())) {
                    out.add(other);
                }
            }
        }
        return out;
    }

    /** The smallest key two key sets share, or null when they share none. */
    public static String owner(List<Keyed> a, List<Keyed> b) {
        String min = null;
        for (Keyed x : a) {
            if (contains(b, x.key()) && (min == null || x.key().compareTo(min) < 0)) {
                min = x.key();
            }
        }
        return min;
    }

    public static Keyed find(List<Keyed> keys, String key) {
        for (Keyed k : keys) {
            if (k.key().equals(key)) {
                return k;
            }
        }
        return null;
    }

    /**
     * The addresses the other end may have: the view's remote address and, through each translation, the address the
     * peer really has (a Service IP's backend). Loopback and link-local addresses are left out: their peer is this host.
     */
    public static List<String> peerAddresses(List<Keyed> keys) {
        List<String> out = new ArrayList<>(keys.size());
        for (Keyed k : keys) {
            if (!local(k.peerIp()) && !out.contains(k.peerIp())) {
                out.add(k.peerIp());
            }
        }
        return out;
    }

    /** Whether the connection's peer is on this very host and namespace (loopback, link-local, unspecified). */
    public static boolean onThisHost(String remoteIp) {
        return local(unmap(remoteIp));
    }

    public static String unmap(String ip) {
        if (ip.length() > 7 && ip.regionMatches(true, 0, "::ffff:", 0, 7) && ip.indexOf('.') > 0) {
            return ip.substring(7);
        }
        return ip;
    }

    private static Keyed keyed(String host, long netns, String me, int mePort, String peer, int peerPort) {
        int c = me.compareTo(peer);
        boolean meFirst = c < 0 || c == 0 && mePort <= peerPort;
        StringBuilder b = new StringBuilder(64);
        if (meFirst) {
            b.append(me).append(StoreKeys.SEP).append(mePort).append(StoreKeys.SEP).append(peer).append(StoreKeys.SEP).append(peerPort);
        } else {
            b.append(peer).append(StoreKeys.SEP).append(peerPort).append(StoreKeys.SEP).append(me).append(StoreKeys.SEP).append(mePort);
        }
        if (local(me) || local(peer)) {
            b.append(StoreKeys.SEP).append(host).append(StoreKeys.SEP).append(netns);
        }
        return new Keyed(b.toString(), me, mePort, peer, peerPort);
    }

    private static boolean same(String ip, int port, String otherIp, int otherPort) {
        return port == otherPort && ip.equals(unmap(otherIp));
    }

    private static boolean contains(List<Keyed> keys, String key) {
        return find(keys, key) != null;
    }

    /** Addresses that many hosts have: loopback, link-local, unspecified. */
    static boolean local(String ip) {
        if (ip.indexOf(':') < 0) {
            return ip.startsWith("127.") || ip.startsWith("169.254.") || ip.equals("0.0.0.0");
        }
        String v6 = ip.toLowerCase(Locale.ROOT);
        return v6.equals("::1") || v6.equals("::") || v6.startsWith("fe8") || v6.startsWith("fe9") || v6.startsWith("fea")
                || v6.startsWith("feb");
    }
}
