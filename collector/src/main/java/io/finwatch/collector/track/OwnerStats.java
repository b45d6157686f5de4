package io.finwatch.collector.track;

/**
 * What finding sockets' owners has cost and found so far: counters since the collector started, and two sizes
 * as of the poll. {@code docs/operations.md} says what each means in operation ({@code finwatch_owner_*}).
 *
 * @param fdScans               namespace scans, each reading the fd links of every process in one namespace
 * @param fdLinksRead           fd links read, in scans and to confirm a remembered holder
 * @param fdDirsDenied          fd directories the collector may not list (no CAP_DAC_READ_SEARCH: mode 0500, the
 *                              process's user's; or an LSM such as AppArmor in the way); their sockets have no owner
 * @param ownerChecks           stat reads checking that an owner still lives (at most one per process per poll)
 * @param rehomed               sockets handed to a remembered holder (a forked child) when their owner exited
 * @param knownSockets          live sockets with a known owner now
 * @param unresolvedSockets     live sockets no visible process was found holding now
 * @param processesRead         processes read in full (status and cgroup: new, or a pid reused)
 * @param processFilesMalformed process files not in the kernel's format (logged with the file)
 * @param processReadsFailed    process reads that failed for another reason than the process exiting
 */
public record OwnerStats(long fdScans, long fdLinksRead, long fdDirsDenied, long ownerChecks, long rehomed,
                         int knownSockets, int unresolvedSockets, long processesRead, long processFilesMalformed,
                         long processReadsFailed) {

    /** Attribution off: nothing looked up. */
    public static final OwnerStats NONE = new OwnerStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    static OwnerStats of(OwnerIndex owners, ProcessTable processes) {
        return new OwnerStats(owners.scans(), owners.readlinks(), owners.deniedFdDirs(), owners.ownerChecks(),
                owners.rehomed(), owners.knownInodes(), owners.unresolved(), processes.loads(),
                processes.malformed(), processes.failed());
    }
}
