package io.finwatch.streams.detect;

import io.finwatch.schemas.SocketTransition;

/** A socket's identity on its host; the inode is not part of it because it turns 0 once the socket is orphaned. */
public record ConnectionKey(String host, long netns, int family, String localIp, int localPort, String remoteIp, int remotePort,
                            int ordinal) {

    public static ConnectionKey of(SocketTransition t) {
        return new ConnectionKey(t.getHost(), t.getNetns(), t.getFamily(), t.getLocalIp(), t.getLocalPort(), t.getRemoteIp(),
                t.getRemotePort(), t.getOrdinal());
    }

    /** {@code host|netns|family|local_ip|local_port|remote_ip|remote_port|ordinal}: the store key. */
    public String text() {
        return host + '|' + netns + '|' + family + '|' + localIp + '|' + localPort + '|' + remoteIp + '|' + remotePort + '|' + ordinal;
    }
}
