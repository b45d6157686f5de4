package io.finwatch.streams.query;

import io.finwatch.common.http.Quote;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code window} parameter: {@code all} (the all-time histograms), or how far back ended episodes count,
 * {@code Nm}, {@code Nh} or {@code Nd} up to the 1-hour windows' retention (7 days). Up to the 1-minute windows'
 * retention (6 h) the minute windows answer, beyond it the hour windows; either way every tumbling window that
 * overlaps the last {@code duration} counts, so the answer may reach one window further back.
 *
 * @param text     as the caller wrote it, echoed in each element
 * @param duration null for {@code all}
 */
public record DwellWindow(String text, Duration duration) {

    public static final DwellWindow DEFAULT = new DwellWindow("1h", Duration.ofHours(1));
    private static final Pattern FORM = Pattern.compile("([0-9]{1,6})([mhd])");
    private static final Duration LONGEST = Duration.ofMillis(StoreNames.DWELL_1H_RETENTION_MS);

    public static DwellWindow parse(String text) {
        if (text == null) {
            return DEFAULT;
        }
        if (text.equals("all")) {
            return new DwellWindow("all", null);
        }
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw ApiException.badRequest("window", "expected all or a duration like 15m, 1h, 7d; got '" + Quote.prefix(text) + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (d.isZero() || d.compareTo(LONGEST) > 0) {
            throw ApiException.badRequest("window", "must be more than 0 and at most 7d (the hourly histograms' retention); got '"
                    + text + "'");
        }
        return new DwellWindow(text, d);
    }

    public boolean allTime() {
        return duration == null;
    }

    /** The window store that answers. */
    public String store() {
        return duration.toMillis() <= StoreNames.DWELL_1M_RETENTION_MS ? StoreNames.DWELL_1M : StoreNames.DWELL_1H;
    }

    /** Earliest window start that overlaps {@code [now - duration, now]}. */
    public Instant from(Instant now) {
        long size = store().equals(StoreNames.DWELL_1M) ? StoreNames.DWELL_1M_WINDOW_MS : StoreNames.DWELL_1H_WINDOW_MS;
        return now.minus(duration).minusMillis(size - 1);
    }
}
