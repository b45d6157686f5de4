package io.finwatch.collector.track;

import java.util.HashMap;
import java.util.Map;

/**
 * The pod whose network namespace each namespace is, found through a process in it: every container of a pod shares
 * the pod's network namespace, and its cgroup names the pod ({@link ProcessInfo#podUid}). The host's namespace has
 * none, though hostNetwork pods run in it.
 *
 * <p>A namespace's pod never changes while the namespace lives, so a pod once found is kept until the namespace is
 * gone. A namespace without one is asked again at each poll, through at most {@link #PIDS_PER_POLL} of its processes
 * (one stat read each for processes already known), since a pod's first process may be seen before its cgroup is
 * set.
 *
 * <p>Not thread-safe: one poll loop calls it.
 */
final class NamespacePods {
    static final int PIDS_PER_POLL = 4;

    private final Map<Long, String> podOf = new HashMap<>();

    /** Namespace inode to pod UID, for the namespaces of {@code scanned} that are a pod's. */
    Map<Long, String> update(NamespaceSet scanned, ProcessTable processes) {
        podOf.keySet().retainAll(scanned.byInode().keySet());
        for (NetNamespace ns : scanned.namespaces()) {
            if (ns.inode() == scanned.hostNetns() || podOf.containsKey(ns.inode())) {
                continue;
            }
            String uid = find(ns, processes);
            if (uid != null) {
                podOf.put(ns.inode(), uid);
            }
        }
        return Map.copyOf(podOf);
    }

    private static String find(NetNamespace ns, ProcessTable processes) {
        ProcessInfo rep = processes.get(ns.representativePid());
        if (rep != null && rep.podUid() != null) {
            return rep.podUid();
        }
        int asked = 1;
        for (int pid : ns.pids()) {
            if (asked >= PIDS_PER_POLL) {
                break;
            }
            if (pid == ns.representativePid()) {
                continue;
            }
            asked++;
            ProcessInfo p = processes.get(pid);
            if (p != null && p.podUid() != null) {
                return p.podUid();
            }
        }
        return null;
    }
}
