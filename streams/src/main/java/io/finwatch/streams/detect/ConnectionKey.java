package io.finwatch.streams.detect;

import io.finwatch.schemas.SocketTransition;
import io.finwatch.streams.state.StoreKeys;

/** A socket's identity on its host; the inode is not part of it because it turns 0 once the socket is orphaned. */
public record ConnectionKey(String host, long netns, int family, String localIp, int localPort, String remoteIp, int remotePort,
                            int ordinal) {

    public static ConnectionKey of(SocketTransition t) {
        return new ConnectionKey(t.getHost(), t.getNetns(), t.getFamily(), t.getLocalIp(), t.getLocalPort(), t.getRemoteIp(),
                t.getRemotePort(), t.getOrdinal());
    }

    /** The connections store key ({@link StoreKeys#connection}). */
    public String text() {
        return StoreKeys.connection(host, netns, family, localIp, localPort, remoteIp, remotePort, ordinal);
    }
}
