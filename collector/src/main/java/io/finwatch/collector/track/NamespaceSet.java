package io.finwatch.collector.track;

import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The network namespaces of one scan of the process table, keyed by namespace inode (ascending).
 * Immutable.
 *
 * <p>The pid counts say how much of the host the scan could not see: {@code vanishedPids} exited while
 * the scan ran (normal), {@code deniedPids} refused us their namespace link (we lack CAP_SYS_PTRACE over
 * them), {@code failedPids} gave another error. Processes in those three are in no namespace here.
 */
public final class NamespaceSet {
    private static final NamespaceSet EMPTY = new NamespaceSet(Map.of(), 0, 0, 0, 0);

    private final Map<Long, NetNamespace> byInode;
    private final long hostNetns;
    private final int vanishedPids;
    private final int deniedPids;
    private final int failedPids;
    private final Set<Integer> allPids;

    public NamespaceSet(Map<Long, NetNamespace> byInode, long hostNetns, int vanishedPids, int deniedPids,
                        int failedPids) {
        this.byInode = Collections.unmodifiableMap(new TreeMap<>(byInode));
        this.hostNetns = hostNetns;
        this.vanishedPids = vanishedPids;
        this.deniedPids = deniedPids;
        this.failedPids = failedPids;
        Set<Integer> all = new HashSet<>();
        for (NetNamespace ns : this.byInode.values()) {
            all.addAll(ns.pids());
        }
        this.allPids = Collections.unmodifiableSet(all);
    }

    /** No namespaces: the state before the first scan. */
    public static NamespaceSet empty() {
        return EMPTY;
    }

    /** Namespace inode to namespace, ascending by inode. */
    public Map<Long, NetNamespace> byInode() {
        return byInode;
    }

    public Collection<NetNamespace> namespaces() {
        return byInode.values();
    }

    /** The namespace, or null when no visible process is in it. */
    public NetNamespace get(long netns) {
        return byInode.get(netns);
    }

    public int size() {
        return byInode.size();
    }

    /**
     * The host's network namespace: that of pid 1 of the procfs (the host's init when the collector runs
     * with hostPID), else the collector's own; 0 when neither could be read.
     */
    public long hostNetns() {
        return hostNetns;
    }

    public int vanishedPids() {
        return vanishedPids;
    }

    public int deniedPids() {
        return deniedPids;
    }

    public int failedPids() {
        return failedPids;
    }

    /** Every pid placed in a namespace by this scan. */
    public Set<Integer> allPids() {
        return allPids;
    }

    @Override
    public String toString() {
        return "NamespaceSet{" + byInode.size() + " namespaces, host=" + hostNetns + ", vanished=" + vanishedPids
                + ", denied=" + deniedPids + ", failed=" + failedPids + "}";
    }
}
