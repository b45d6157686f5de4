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
 */
public record SocketKey(long netns, int family,
                        long localHi, long localLo, int localPort,
                        long remoteHi, long remoteLo, int remotePort,
                        int ordinal) {

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
