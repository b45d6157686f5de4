package io.finwatch.streams.config;

import java.util.Locale;

/**
 * The detector's JVM formats with the en_US locale, whatever the host's.
 *
 * <p>Kafka Streams 4.3, with task idling allowed (the default), builds a log message with {@code String.format} for
 * every empty input partition of a task before every record (KAFKA-19682), whether or not the message is logged; the
 * detector's task reads four topics, and two of them are empty most of the time. A {@code Formatter} of any locale
 * but exactly en_US looks up {@code DecimalFormatSymbols} for each number it prints, which was half of that cost: 4–5%
 * of the stream thread. Numbers the process formats itself also stop depending on the host's locale.
 */
public final class FormatLocale {

    private FormatLocale() {
    }

    /** Sets the default locale for formatting; call before the first Kafka Streams instance starts. */
    public static void pin() {
        Locale.setDefault(Locale.Category.FORMAT, Locale.US);
    }
}
