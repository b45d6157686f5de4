package io.finwatch.collector.track;

/**
 * A process, as identified across pid reuse by (pid, start time).
 *
 * @param pid            process id in the procfs's pid namespace
 * @param startTimeTicks when the process started, in clock ticks (1/USER_HZ s) after boot: field 22 of
 *                       {@code /proc/<pid>/stat}
 * @param comm           the executable's name as the kernel keeps it (at most 15 bytes; any characters)
 * @param uid            effective user id, the one permissions are checked against
 * @param containerId    64-hex container id from its cgroup, or null outside a recognised container
 * @param podUid         the Kubernetes pod's UID from its cgroup (the kubelet names each pod's cgroup after it), or
 *                       null outside a pod
 */
public record ProcessInfo(int pid, long startTimeTicks, String comm, int uid, String containerId, String podUid) {

    /** A process in no pod. */
    public ProcessInfo(int pid, long startTimeTicks, String comm, int uid, String containerId) {
        this(pid, startTimeTicks, comm, uid, containerId, null);
    }
}
