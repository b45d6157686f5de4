package io.finwatch.streams.detect;

/** FIN_WAIT2 sockets open right now on a host or of a process, by whether a process still holds them. */
public record OpenCounts(long attached, long orphaned) {

    public static final OpenCounts NONE = new OpenCounts(0, 0);

    public OpenCounts plus(boolean isOrphaned, long delta) {
        return isOrphaned ? new OpenCounts(attached, orphaned + delta) : new OpenCounts(attached + delta, orphaned);
    }

    public boolean isEmpty() {
        return attached == 0 && orphaned == 0;
    }

    public long total() {
        return attached + orphaned;
    }
}
