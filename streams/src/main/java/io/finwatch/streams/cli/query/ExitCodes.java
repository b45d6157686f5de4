package io.finwatch.streams.cli.query;

/** What {@code ./finwatch query} exits with, so scripts can tell a refusal from an outage. */
public final class ExitCodes {
    public static final int OK = 0;
    /** The API answered with an error (bad parameter, unknown host, missing token, unavailable). */
    public static final int API_ERROR = 1;
    /** The command line was wrong (picocli's own usage exit code). */
    public static final int USAGE = 2;
    /** Nothing answered at the URL. */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {
    }
}
