package io.finwatch.collector.socket;

/**
 * Identity of a connection across polls: (network namespace, local end, remote end).
 * Never the inode alone: an orphaned socket's inode is 0, and a reused tuple gets a new inode.
 *
 * <p>Addresses are 128-bit in network byte order, split into two longs. IPv4 sockets
 * (family 4, from /proc/net/tcp) keep the address in the low 32 bits of {@code lo} and 0 in {@code hi};
 * IPv4-mapped sockets in /proc/net/tcp6 stay family 6 ({@code ::ffff:a.b.c.d}), because they are
 * distinct kernel sockets.
 *
 * <p>{@code ordinal} separates sockets that share the whole tuple in one snapshot, which happens
 * for SO_REUSEPORT listeners: the first in file order is 0, the next 1, and so on.
 *
 * <p>A value class (record semantics) whose hash is computed once.
 */
public final class SocketKey {
    private final long netns;
    private final int family;
    private final long localHi;
    private final long localLo;
    private final int localPort;
    private final long remoteHi;
    private final long remoteLo;
    private final int remotePort;
    private final int ordinal;
    /** Cached: every poll looks up every key in two hash tables, so the hash is computed once per socket. */
    private final int hash;

    public SocketKey(long netns, int family, long localHi, long localLo, int localPort,
                     long remoteHi, long remoteLo, int remotePort, int ordinal) {
        this.netns = netns;
        this.family = family;
        this.localHi = localHi;
        this.localLo = localLo;
        this.localPort = localPort;
        this.remoteHi = remoteHi;
        this.remoteLo = remoteLo;
        this.remotePort = remotePort;
        this.ordinal = ordinal;
        long h = netns * 0x9E3779B97F4A7C15L;
        h = (h ^ localHi) * 0x9E3779B97F4A7C15L;
        h = (h ^ localLo) * 0x9E3779B97F4A7C15L;
        h = (h ^ remoteHi) * 0x9E3779B97F4A7C15L;
        h = (h ^ remoteLo) * 0x9E3779B97F4A7C15L;
        h = (h ^ (((long) localPort << 32) | (remotePort & 0xffffffffL))) * 0x9E3779B97F4A7C15L;
        h = (h ^ ((long) family << 32 | (ordinal & 0xffffffffL))) * 0x9E3779B97F4A7C15L;
        this.hash = (int) (h ^ (h >>> 32));
    }

    public long netns() {
        return netns;
    }

    public int family() {
        return family;
    }

    public long localHi() {
        return localHi;
    }

    public long localLo() {
        return localLo;
    }

    public int localPort() {
        return localPort;
    }

    public long remoteHi() {
        return remoteHi;
    }

    public long remoteLo() {
        return remoteLo;
    }

    public int remotePort() {
        return remotePort;
    }

    public int ordinal() {
        return ordinal;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof SocketKey k && k.hash == hash && k.netns == netns && k.localLo == localLo
                && k.remoteLo == remoteLo && k.localPort == localPort && k.remotePort == remotePort
                && k.localHi == localHi && k.remoteHi == remoteHi && k.family == family && k.ordinal == ordinal;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    public SocketKey withOrdinal(int newOrdinal) {
        return new SocketKey(netns, family, localHi, localLo, localPort, remoteHi, remoteLo, remotePort, newOrdinal);
    }

    public String localIp() {
        return InetText.format(family, localHi, localLo);
    }

    public String remoteIp() {
        return InetText.format(family, remoteHi, remoteLo);
    }

    @Override
    public String toString() {
        return "netns:" + netns + " " + InetText.endpoint(family, localHi, localLo, localPort)
                + " -> " + InetText.endpoint(family, remoteHi, remoteLo, remotePort)
                + (ordinal == 0 ? "" : " #" + ordinal);
    }
}
