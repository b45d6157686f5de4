package io.finwatch.common.config;

import java.time.Duration;
import java.util.Locale;

/** Text forms of option values that picocli has no converter for. */
public final class Converters {
    private Converters() {
    }

    /** @throws IllegalArgumentException naming {@code option} when {@code d} is zero or negative */
    public static Duration requirePositive(Duration d, String option) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, not " + text(d));
        }
        return d;
    }

    /** @throws IllegalArgumentException naming {@code option} when {@code d} is negative */
    public static Duration requireNotNegative(Duration d, String option) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(option + " must be 0 or positive, not " + text(d));
        }
        return d;
    }

    /** A duration in the form {@link #duration} reads: whole seconds as {@code 5s}, else milliseconds. */
    public static String text(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    /**
     * {@code 500ms}, {@code 1s}, {@code 2m}, {@code 1h}, an ISO-8601 duration such as {@code PT1S}, or {@code 0}
     * (zero needs no unit; options use it for "off" or "every time").
     */
    public static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        try {
            if (t.startsWith("pt") || t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            switch (t.charAt(t.length() - 1)) {
                case 's': return Duration.ofSeconds(n);
                case 'm': return Duration.ofMinutes(n);
                case 'h': return Duration.ofHours(n);
                case 'd': return Duration.ofDays(n);
                default: break;
            }
        } catch (RuntimeException e) {
            // fall through to the error below, which names the accepted forms
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 500ms, 1s, 2m, 1h)");
    }

    /** A byte size: {@code 1048576}, {@code 512k}, {@code 64m}, {@code 2g} (powers of 1024). */
    public static long bytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replaceFirst("i?b$", "");
        try {
            long mult = 1;
            char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
            switch (last) {
                case 'k': mult = 1L << 10; break;
                case 'm': mult = 1L << 20; break;
                case 'g': mult = 1L << 30; break;
                case 't': mult = 1L << 40; break;
                default: break;
            }
            String digits = mult == 1 ? t : t.substring(0, t.length() - 1);
            long v = Math.multiplyExact(Long.parseLong(digits), mult);
            if (v >= 0) {
                return v;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("'" + text + "' is not a byte size (e.g. 536870912, 512m, 2g)");
    }
}
