package io.finwatch.streams.cli.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Durations and instants as a person reads them at a terminal: {@code 1m30s}, {@code 12s ago}, local time. */
public final class Human {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final Clock clock;

    /** {@code clock} gives "now" for relative times and the zone local times are shown in. */
    public Human(Clock clock) {
        this.clock = clock;
    }

    /**
     * The two largest units, so a column of dwells stays short and comparable: {@code 850ms}, {@code 4.5s},
     * {@code 45s}, {@code 1m30s}, {@code 2h5m}, {@code 3d4h}.
     */
    public static String duration(long ms) {
        if (ms < 0) {
            return "-" + duration(-ms);
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms < 10_000) {
            long tenths = ms / 100;
            return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return two(s / 60, "m", s % 60, "s");
        }
        if (s < 86_400) {
            return two(s / 3600, "h", s % 3600 / 60, "m");
        }
        return two(s / 86_400, "d", s % 86_400 / 3600, "h");
    }

    private static String two(long big, String bigUnit, long small, String smallUnit) {
        return small == 0 ? big + bigUnit : big + bigUnit + small + smallUnit;
    }

    /** {@code 12s ago}, {@code in 3s}, {@code just now} (under a second either way). */
    public String relative(Instant t) {
        long ms = Duration.between(t, clock.instant()).toMillis();
        if (Math.abs(ms) < 1000) {
            return "just now";
        }
        return ms > 0 ? duration(ms - ms % 1000) + " ago" : "in " + duration(-ms - (-ms) % 1000);
    }

    /** Local wall-clock time; the date only when it is not today. */
    public String local(Instant t) {
        ZonedDateTime z = t.atZone(clock.getZone());
        return z.toLocalDate().equals(LocalDate.now(clock)) ? TIME.format(z) : DATE_TIME.format(z);
    }

    /** An API timestamp field rendered with {@code how}; {@code -} when absent, the raw text when not ISO-8601. */
    public static String instant(String iso, java.util.function.Function<Instant, String> how) {
        if (iso == null || iso.isEmpty()) {
            return "-";
        }
        try {
            return how.apply(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return iso;
        }
    }
}
