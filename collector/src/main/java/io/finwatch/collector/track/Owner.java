package io.finwatch.collector.track;

/**
 * The process holding a socket open, and under which file descriptor.
 *
 * @param process the holder; when several hold it (inherited across fork), the one with the lowest pid
 * @param fd      the descriptor number in that process ({@code /proc/<pid>/fd/<fd>})
 */
public record Owner(ProcessInfo process, int fd) {
}
