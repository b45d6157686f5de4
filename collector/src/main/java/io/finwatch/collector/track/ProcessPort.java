package io.finwatch.collector.track;

import java.io.IOException;

/**
 * What the process table and the owner index read from the host, and nothing more: a process's identity
 * files and its fd links. {@code kernel/ProcessFiles} reads them under the procfs root; tests fake them.
 *
 * <p>Each call is one small read (a listing and one readlink per fd for {@link #socketFds}), so the callers'
 * counters tell what a poll cost in I/O.
 */
public interface ProcessPort {

    /**
     * Comm and start time from {@code <pid>/stat}: what tells one process from another under a reused pid.
     *
     * @return null when there is no such process
     * @throws MalformedFile when the file is not in the kernel's format
     * @throws IOException   when it could not be read for another reason
     */
    ProcessStat stat(int pid) throws IOException;

    /**
     * The rest of the process {@code stat} describes: its effective uid ({@code <pid>/status}) and container
     * ({@code <pid>/cgroup}).
     *
     * @return null when the process exited meanwhile
     * @throws MalformedFile when a file is not in the kernel's format
     */
    ProcessInfo describe(int pid, ProcessStat stat) throws IOException;

    /**
     * The process's fds that are sockets, with the inode each names, read from {@code <pid>/fd}.
     *
     * @return null when the process exited
     * @throws java.nio.file.AccessDeniedException when its fd directory may not be listed (we lack CAP_DAC_READ_SEARCH:
     *                                             it is mode 0500, owned by the process's user; or an LSM refuses)
     * @throws IOException                         when it could not be listed for another reason
     */
    SocketFds socketFds(int pid) throws IOException;

    /**
     * The socket inode {@code <pid>/fd/<fd>} names now: one readlink.
     *
     * @return the inode, or -1 when the fd is closed or names anything but a socket
     */
    long socketInode(int pid, int fd);

    /** A /proc file that does not have the kernel's format: not a process that exited, a reader's problem. */
    final class MalformedFile extends IOException {
        private static final long serialVersionUID = 1L;

        public MalformedFile(String message) {
            super(message);
        }
    }
}
