package io.finwatch.collector.track;

import java.util.Collections;
import java.util.List;

/**
 * One network namespace as seen in one scan.
 *
 * @param inode             the namespace's inode (the number in {@code net:[N]}), its host-wide identity
 * @param representativePid the process through which the namespace is read ({@code <pid>/net/tcp},
 *                          setns for its sysctls); stays the same across scans while that process lives
 * @param pids              every visible process in the namespace, ascending
 */
public record NetNamespace(long inode, int representativePid, List<Integer> pids) {

    public NetNamespace {
        pids = List.copyOf(pids);
    }

    public boolean contains(int pid) {
        return Collections.binarySearch(pids, pid) >= 0;
    }
}
