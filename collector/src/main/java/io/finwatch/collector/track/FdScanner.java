package io.finwatch.collector.track;

import io.finwatch.collector.track.InodeGroup.Holder;
import io.finwatch.collector.track.InodeGroup.Member;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owner index's fd reads: a namespace scan, which reads the fd links of every process in it, and the
 * single readlink that confirms a remembered holder. Counts both, and the fd directories refused.
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
final class FdScanner {
    private static final Logger log = LoggerFactory.getLogger(FdScanner.class);

    private final ProcessPort port;
    private final ProcessTable processes;
    private long scans;
    private long readlinks;
    private long deniedFdDirs;

    FdScanner(ProcessPort port, ProcessTable processes) {
        this.port = port;
        this.processes = processes;
    }

    /**
     * Reads the fd links of every process in the namespace, ascending by pid, and notes on each live inode
     * of the namespace who holds it: the lowest holder (lowest pid, lowest fd in it) and any further ones.
     * Sockets of other kinds (unix, udp) and of other namespaces cost only the lookup.
     *
     * @param live every live inode, of every namespace
     * @return the scan's number: the members it saw have it as {@link Member#seenByScan}
     */
    long scan(NetNamespace ns, InodeMembers live) {
        long scan = ++scans;
        for (int pid : ns.pids()) {
            SocketFds sockets = socketFds(pid);
            ProcessInfo holder = sockets == null ? null : processes.get(pid);
            if (holder == null) {
                continue;
            }
            for (int i = 0; i < sockets.size(); i++) {
                Member m = live.get(sockets.inodes()[i]);
                if (m == null || m.netns != ns.inode()) {
                    continue;
                }
                if (m.seenByScan != scan) {
                    m.seenByScan = scan;
                    m.firstHolder = holder;
                    m.firstHolderFd = sockets.fds()[i];
                    m.otherHolders = null;
                } else {
                    if (m.otherHolders == null) {
                        m.otherHolders = new ArrayList<>(2);
                    }
                    m.otherHolders.add(new Holder(holder, sockets.fds()[i]));
                }
            }
        }
        return scan;
    }

    /** Whether {@code <pid>/fd/<fd>} still names the socket: one readlink, since fd numbers are reused. */
    boolean stillHolds(int pid, int fd, long inode) {
        readlinks++;
        return port.socketInode(pid, fd) == inode;
    }

    /** The socket fds of one process, or null when it has none, has exited, or refuses us. */
    private SocketFds socketFds(int pid) {
        SocketFds fds;
        try {
            fds = port.socketFds(pid);
        } catch (AccessDeniedException e) {
            deniedFdDirs++;
            return null;
        } catch (IOException e) {
            log.debug("cannot list the fds of pid {}: {}", pid, e.toString());
            return null;
        }
        if (fds == null) {
            return null;
        }
        readlinks += fds.linksRead();
        return fds.size() == 0 ? null : fds;
    }

    long scans() {
        return scans;
    }

    long readlinks() {
        return readlinks;
    }

    long deniedFdDirs() {
        return deniedFdDirs;
    }
}
