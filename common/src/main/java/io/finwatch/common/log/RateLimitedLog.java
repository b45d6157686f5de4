package io.finwatch.common.log;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Warnings that can repeat every poll (a damaged /proc table, an unreadable namespace) at most once per period
 * per key. The first one of a key is logged at once; later ones within the period are only counted, and the
 * next line that gets through says how many were left out, so the log shows that the problem persists and how
 * often, without a line per occurrence. What was left out is still counted by the caller's metric.
 *
 * <p>A key names the thing that is wrong (a file, a namespace), not the message: one damaged file gets one line
 * a period however many of its lines are bad. The number of keys kept is bounded; past it the oldest state is
 * forgotten, which at worst lets one more line through.
 *
 * <p>Thread-safe.
 */
public final class RateLimitedLog {
    /** Enough for every table of a host with a few hundred namespaces. */
    private static final int MAX_KEYS = 4_096;

    private final Logger log;
    private final long periodNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new HashMap<>();

    private static final class Window {
        long openedAt;
        long suppressed;
    }

    public RateLimitedLog(Logger log, Duration period) {
        this(log, period, System::nanoTime);
    }

    RateLimitedLog(Logger log, Duration period, LongSupplier nanoTime) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        this.log = log;
        this.periodNanos = period.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Logs at WARN unless {@code key} was logged within the period; SLF4J {@code {}} placeholders. */
    public void warn(String key, String format, Object... args) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long suppressed = admit(key);
        if (suppressed >= 0) {
            log.warn(line(format, args, suppressed));
        }
    }

    /** As {@link #warn}, at INFO. */
    public void info(String key, String format, Object... args) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long suppressed = admit(key);
        if (suppressed >= 0) {
            log.info(line(format, args, suppressed));
        }
    }

    /** As {@link #warn}, at ERROR. */
    public void error(String key, String format, Object... args) {
        if (!log.isErrorEnabled()) {
            return;
        }
        long suppressed = admit(key);
        if (suppressed >= 0) {
            log.error(line(format, args, suppressed));
        }
    }

    /** -1 when the line is to be left out, else how many of the key's lines were left out before it. */
    private synchronized long admit(String key) {
        long now = nanoTime.getAsLong();
        Window w = windows.get(key);
        if (w == null) {
            if (windows.size() >= MAX_KEYS) {
                windows.clear();
            }
            w = new Window();
            w.openedAt = now;
            windows.put(key, w);
            return 0;
        }
        if (now - w.openedAt < periodNanos) {
            w.suppressed++;
            return -1;
        }
        long suppressed = w.suppressed;
        w.openedAt = now;
        w.suppressed = 0;
        return suppressed;
    }

    private String line(String format, Object[] args, long suppressed) {
        String text = MessageFormatter.arrayFormat(format, args).getMessage();
        if (suppressed == 0) {
            return text;
        }
        return text + " (and " + suppressed + " more like it since the last report, not logged)";
    }
}
