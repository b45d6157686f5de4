package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Netlink sockets of one protocol, one per network namespace, each made inside its namespace on a
 * {@link NetnsThread} (a netlink socket answers for the namespace it was created in, for its whole life) and kept
 * for later polls. {@link #retain} closes those of namespaces that went away, since an open socket keeps its
 * namespace alive. Not thread-safe: one poll loop uses it.
 */
final class NetlinkSockets implements AutoCloseable {
    private final Procfs procfs;
    private final LibC libc;
    private final NetnsThread entering;
    private final int protocol;
    private final Map<Long, Integer> sockets = new HashMap<>();

    NetlinkSockets(Procfs procfs, LibC libc, NetnsThread entering, int protocol) {
        this.procfs = procfs;
        this.libc = libc;
        this.entering = entering;
        this.protocol = protocol;
    }

    /**
     * The socket of {@code ns}, made through its representative process or, if that one left, another of its
     * processes.
     *
     * @throws IOException saying why no socket could be made (no process of it left, no CAP_SYS_ADMIN)
     */
    int of(NetNamespace ns) throws IOException {
        Integer fd = sockets.get(ns.inode());
        if (fd != null) {
            return fd;
        }
        StringBuilder why = new StringBuilder();
        int tried = 0;
        java.util.List<Integer> candidates = new java.util.ArrayList<>(ns.pids());
        candidates.remove(Integer.valueOf(ns.representativePid()));
        candidates.add(0, ns.representativePid());
        for (int pid : candidates) {
            if (tried == 4) {
                break;
            }
            try {
                return make(procfs.pid(pid, "ns", "net"), ns.inode());
            } catch (IOException e) {
                why.append(tried++ == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        throw new IOException("netns " + ns.inode() + ": " + (tried == 0 ? "no process in it" : why));
    }

    /** The socket of namespace {@code inode}, entered through {@code link} (a ns/net link or a bind mount). */
    int at(Path link, long inode) throws IOException {
        Integer fd = sockets.get(inode);
        return fd != null ? fd : make(link, inode);
    }

    private int make(Path link, long inode) throws IOException {
        int made = entering.call(link, inode, () -> {
            try {
                return libc.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, protocol);
            } catch (LastErrorException e) {
                throw new IOException("netlink socket: " + e.getMessage());
            }
        });
        sockets.put(inode, made);
        return made;
    }

    /** Closes the namespace's socket (after a failure that may have left answers queued on it). */
    void drop(long inode) {
        Integer fd = sockets.remove(inode);
        if (fd != null) {
            closeQuietly(fd);
        }
    }

    /** Closes the sockets of namespaces not in {@code live}. */
    void retain(Set<Long> live) {
        for (Iterator<Map.Entry<Long, Integer>> it = sockets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Integer> e = it.next();
            if (!live.contains(e.getKey())) {
                closeQuietly(e.getValue());
                it.remove();
            }
        }
    }

    private void closeQuietly(int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException ignored) {
            // dropped from the map either way
        }
    }

    @Override
    public void close() {
        retain(Set.of());
    }
}
