package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketKey;
import java.util.List;

/**
 * Looks sockets up in the kernel's connection tracking for {@link Conntracks}. {@code kernel/ConntrackReader} asks
 * ctnetlink in each socket's own namespace and in the host's; tests fake it.
 */
public interface ConntrackPort {

    /**
     * One outcome per socket, in the order asked. Each socket's own view (local, remote) is the tuple looked up, in
     * its namespace {@code key.netns()} and in {@code namespaces.hostNetns()}.
     */
    List<ConntrackLookup> lookup(NamespaceSet namespaces, List<SocketKey> sockets);
}
