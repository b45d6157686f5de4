package io.finwatch.local;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * What reaches the terminal: finwatch's warnings and errors, and only errors from Kafka, whose routine warnings
 * (a transaction retried, a coordinator moving) mean nothing to someone watching for anomalies. All of them still
 * go to the log file.
 */
public final class ConsoleLogFilter extends Filter<ILoggingEvent> {
    @Override
    public FilterReply decide(ILoggingEvent event) {
        String name = event.getLoggerName();
        boolean kafka = name.startsWith("org.apache.kafka") || name.startsWith("kafka") || name.startsWith("state.change");
        Level min = kafka ? Level.ERROR : Level.WARN;
        return event.getLevel().isGreaterOrEqual(min) ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
