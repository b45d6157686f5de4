package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.finwatch.collector.track.AddressPort;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Each namespace's interface addresses from a routing netlink {@code RTM_GETADDR} dump ({@link IfAddrDecoder}),
 * the source {@code ip addr} reads, through a NETLINK_ROUTE socket made inside the namespace on a
 * {@link NetnsThread} and kept. The kernel's own list, so no address is guessed from sockets. Not thread-safe:
 * one poll loop calls it.
 */
public final class AddressReader implements AddressPort, AutoCloseable {
    private static final int RECEIVE_BYTES = 32 * 1024;

    private final LibC libc;
    private final NetlinkSockets sockets;
    private final Memory receive = new Memory(RECEIVE_BYTES);
    private int seq;

    AddressReader(Procfs procfs, LibC libc, NetnsThread entering) {
        this.libc = libc;
        this.sockets = new NetlinkSockets(procfs, libc, entering, IfAddrDecoder.NETLINK_ROUTE);
    }

    @Override
    public List<Read> read(List<NetNamespace> namespaces) {
        List<Read> out = new ArrayList<>(namespaces.size());
        for (NetNamespace ns : namespaces) {
            try {
                out.add(new Read(ns.inode(), List.copyOf(dump(sockets.of(ns), ns.inode())), null));
            } catch (IOException | IllegalArgumentException e) {
                sockets.drop(ns.inode());
                out.add(new Read(ns.inode(), null, e.getMessage()));
            }
        }
        return out;
    }

    private TreeSet<String> dump(int fd, long netns) throws IOException {
        byte[] request = IfAddrDecoder.request(++seq);
        try {
            libc.send(fd, request, new NativeLong(request.length), 0);
        } catch (LastErrorException e) {
            throw new IOException("RTM_GETADDR in netns " + netns + ": send: " + e.getMessage());
        }
        TreeSet<String> addresses = new TreeSet<>();
        while (true) {
            long n;
            try {
                n = libc.recv(fd, receive, new NativeLong(RECEIVE_BYTES), 0).longValue();
            } catch (LastErrorException e) {
                throw new IOException("RTM_GETADDR in netns " + netns + ": recv: " + e.getMessage());
            }
            if (n <= 0) {
                throw new IOException("RTM_GETADDR in netns " + netns + ": the dump ended without NLMSG_DONE");
            }
            ByteBuffer in = receive.getByteBuffer(0, n);
            if (IfAddrDecoder.decode(in, addresses)) {
                return addresses;
            }
        }
    }

    /** Closes the sockets of namespaces the scan no longer found. */
    void retain(NamespaceSet namespaces) {
        sockets.retain(namespaces.byInode().keySet());
    }

    @Override
    public void close() {
        sockets.close();
    }
}
