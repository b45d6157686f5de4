package io.finwatch.collector.track;

import io.finwatch.collector.track.InodeGroup.Member;
import java.util.function.Consumer;

/**
 * The owner index's live inodes: each {@link Member} found by its inode, in an open-addressing table of the
 * members themselves (linear probing, at most half full).
 *
 * <p>A {@code HashMap<Long, Member>} costs a node (32 bytes) and a boxed key (16 bytes) per socket besides its
 * slot; this costs slots of 4 bytes (compressed references) at a load of at most a half (at least an eighth before it
 * shrinks), 8–16 bytes a socket once grown. At 200k sockets that is ~7 MB less live heap (docs/benchmarks.md, "Session 11").
 *
 * <p>Not thread-safe.
 */
final class InodeMembers {
    private static final int MIN_CAPACITY = 16;

    private Member[] slots = new Member[MIN_CAPACITY];
    private int size;

    Member get(long inode) {
        Member[] s = slots;
        int mask = s.length - 1;
        for (int i = index(inode, mask); ; i = (i + 1) & mask) {
            Member m = s[i];
            if (m == null || m.inode == inode) {
                return m;
            }
        }
    }

    /** Adds {@code m}, replacing the member of the same inode; returns that one, or null. */
    Member put(Member m) {
        if (2 * (size + 1) > slots.length) {
            resize(slots.length * 2);
        }
        Member[] s = slots;
        int mask = s.length - 1;
        for (int i = index(m.inode, mask); ; i = (i + 1) & mask) {
            Member old = s[i];
            if (old == null) {
                s[i] = m;
                size++;
                return null;
            }
            if (old.inode == m.inode) {
                s[i] = m;
                return old;
            }
        }
    }

    /** Removes and returns the member of {@code inode}, or null. */
    Member remove(long inode) {
        Member[] s = slots;
        int mask = s.length - 1;
        int i = index(inode, mask);
        while (true) {
            Member m = s[i];
            if (m == null) {
                return null;
            }
            if (m.inode == inode) {
                break;
            }
            i = (i + 1) & mask;
        }
        Member removed = s[i];
        // Backward-shift deletion: pull later members of the probe run into the hole when their home allows it,
        // so that lookups never need tombstones.
        int hole = i;
        for (int j = (hole + 1) & mask; s[j] != null; j = (j + 1) & mask) {
            int home = index(s[j].inode, mask);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                s[hole] = s[j];
                hole = j;
            }
        }
        s[hole] = null;
        size--;
        if (s.length > MIN_CAPACITY && 8 * size < s.length) {
            resize(s.length / 2);
        }
        return removed;
    }

    int size() {
        return size;
    }

    /** Every member; {@code action} must not add or remove any. */
    void forEach(Consumer<Member> action) {
        for (Member m : slots) {
            if (m != null) {
                action.accept(m);
            }
        }
    }

    private void resize(int capacity) {
        Member[] old = slots;
        Member[] s = new Member[capacity];
        int mask = capacity - 1;
        for (Member m : old) {
            if (m != null) {
                int i = index(m.inode, mask);
                while (s[i] != null) {
                    i = (i + 1) & mask;
                }
                s[i] = m;
            }
        }
        slots = s;
    }

    /** Inodes are dense counters: mixed (Stafford's variant 13 finaliser) so that runs of them spread out. */
    private static int index(long inode, int mask) {
        long z = inode;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return (int) (z ^ (z >>> 31)) & mask;
    }
}
