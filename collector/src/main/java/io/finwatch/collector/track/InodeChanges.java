package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one poll's changes mean for socket inodes: an inode enters on FIRST_SEEN with inode != 0, and leaves on
 * GONE, or on CHANGED to inode 0 (orphaned: the holder closed it, no fd names it any more).
 *
 * @param entered inode to its namespace
 * @param left    inodes that left, in change order; one that also entered (its key was renumbered) is in both
 */
record InodeChanges(Map<Long, Long> entered, List<Long> left) {

    static InodeChanges of(List<SocketChange> changes) {
        Map<Long, Long> entered = new HashMap<>();
        List<Long> left = new ArrayList<>();
        for (SocketChange c : changes) {
            SocketRow before = c.before();
            SocketRow after = c.after();
            switch (c.kind()) {
                case FIRST_SEEN -> {
                    if (after.inode() != 0) {
                        entered.put(after.inode(), after.key().netns());
                    }
                }
                case GONE -> {
                    if (before.inode() != 0) {
                        left.add(before.inode());
                    }
                }
                case CHANGED -> {
                    if (before.inode() != 0 && after.inode() == 0) {
                        left.add(before.inode());
                    }
                }
            }
        }
        return new InodeChanges(entered, left);
    }
}
