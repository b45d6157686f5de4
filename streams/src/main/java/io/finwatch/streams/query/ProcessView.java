package io.finwatch.streams.query;

/**
 * One element of {@code GET /api/hosts/{host}/processes} and {@code /api/top/processes}: a process's open
 * FIN_WAIT2 counts and the dwell of its episodes that ended within {@code window}; the percentiles are null
 * when {@code count} is 0.
 */
public record ProcessView(String host, Integer pid, String comm, long attached, long orphaned, String window, long count, Long p50Ms,
                          Long p90Ms, Long p99Ms, Long maxMs, boolean stale) implements Element {
}
