package io.finwatch.collector.track;

import java.util.ArrayList;
import java.util.List;

/**
 * The live socket inodes of one namespace that share an owner: one process (pid and start time), or, when
 * {@link #process} is null, nobody found yet.
 *
 * <p>The members are linked through themselves, so joining and leaving cost O(1) and no set entry: at 200k
 * sockets a per-owner {@code HashSet<Long>} would double the memory per socket, yet it is only needed on the
 * rare poll where an owner dies and its sockets must be found without walking them all.
 *
 * <p>Not thread-safe.
 */
final class InodeGroup {
    /** One live socket inode. Belongs to at most one group; to none only while it is being looked up. */
    static final class Member {
        final long inode;
        final long netns;
        /** The owner's descriptor for the socket; meaningless while in an unresolved group. */
        int fd;
        InodeGroup group;
        private Member prev;
        private Member next;
        /**
         * What the last scan of its namespace that saw it found: that scan's number, the lowest holder (lowest
         * pid, lowest fd in it), and any further holders ascending (a socket shared after fork; usually null).
         * Stale as soon as it is made, so only ever trusted after a fresh readlink.
         */
        long seenByScan;
        ProcessInfo firstHolder;
        int firstHolderFd;
        List<Holder> otherHolders;

        Member(long inode, long netns) {
            this.inode = inode;
            this.netns = netns;
        }
    }

    /** A process and fd that a scan saw holding a socket. */
    record Holder(ProcessInfo process, int fd) {
    }

    final long netns;
    /**
     * The holder as last read: same pid and start time for the group's whole life, but a new comm once it
     * exec'd. Null for the namespace's unresolved inodes.
     */
    ProcessInfo process;
    private Member head;
    private int size;

    InodeGroup(long netns, ProcessInfo process) {
        this.netns = netns;
        this.process = process;
    }

    /** Adds a member that is in no group. */
    void add(Member m, int fd) {
        if (m.group != null) {
            throw new IllegalStateException("inode " + m.inode + " is already in a group");
        }
        m.group = this;
        m.fd = fd;
        m.prev = null;
        m.next = head;
        if (head != null) {
            head.prev = m;
        }
        head = m;
        size++;
    }

    void remove(Member m) {
        if (m.group != this) {
            throw new IllegalStateException("inode " + m.inode + " is not in this group");
        }
        if (m.prev == null) {
            head = m.next;
        } else {
            m.prev.next = m.next;
        }
        if (m.next != null) {
            m.next.prev = m.prev;
        }
        m.group = null;
        m.prev = null;
        m.next = null;
        size--;
    }

    /** Empties the group; the members returned are in no group. */
    List<Member> removeAll() {
        List<Member> all = new ArrayList<>(size);
        while (head != null) {
            all.add(head);
            remove(head);
        }
        return all;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }
}
