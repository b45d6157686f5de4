package io.finwatch.collector.track;

/**
 * The two fields of {@code /proc/<pid>/stat} that identify a process and name it.
 *
 * @param comm      field 2, the executable's name as the kernel keeps it; it changes when the process execs
 * @param startTime field 22, clock ticks after boot: the same pid with another start time is another process
 */
public record ProcessStat(String comm, long startTime) {
}
