package io.finwatch.collector.track;

/**
 * The socket descriptors of one process, as one listing of {@code <pid>/fd} found them.
 *
 * @param fds       descriptor numbers, ascending
 * @param inodes    the socket inode each of {@code fds} names, at the same index
 * @param linksRead fd links read to find them: one per descriptor listed, sockets or not
 */
public record SocketFds(int[] fds, long[] inodes, int linksRead) {

    public SocketFds {
        if (fds.length != inodes.length) {
            throw new IllegalArgumentException(fds.length + " fds but " + inodes.length + " inodes");
        }
    }

    public int size() {
        return fds.length;
    }
}
