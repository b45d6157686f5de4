package io.finwatch.local;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} anomaly lines a second on the terminal. A host with thousands of leaking sockets would
 * otherwise scroll everything else away; the lines held back are counted and said in one line, and every anomaly
 * stays in the API and the dashboard.
 */
final class LineBudget {
    private static final long SECOND_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final int perSecond;
    private final LongSupplier nanoTime;
    private long windowStart;
    private int shown;
    private long heldBack;

    LineBudget(PrintStream out, int perSecond, LongSupplier nanoTime) {
        this.out = out;
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
        this.windowStart = nanoTime.getAsLong();
    }

    void print(String line) {
        roll();
        if (shown < perSecond) {
            out.println(line);
            shown++;
        } else {
            heldBack++;
        }
    }

    /** Says how many lines were held back once their second is over; called after every poll, even an empty one. */
    void roll() {
        long now = nanoTime.getAsLong();
        if (now - windowStart < SECOND_NANOS) {
            return;
        }
        if (heldBack > 0) {
            out.println("... " + heldBack + " more anomalies in that second not shown: ./finwatch query anomalies, or the dashboard");
        }
        windowStart = now;
        shown = 0;
        heldBack = 0;
    }
}
