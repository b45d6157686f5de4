package io.finwatch.common.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.SubstituteLogger;

class RateLimitedLogTest {
    private final ConcurrentLinkedQueue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong now = new AtomicLong();
    private final RateLimitedLog log = new RateLimitedLog(
            new EventRecordingLogger(new SubstituteLogger("test", events, false), events), Duration.ofSeconds(60),
            now::get);

    private List<String> lines() {
        return events.stream().map(e -> MessageFormatter.arrayFormat(e.getMessage(), e.getArgumentArray()).getMessage())
                .toList();
    }

    @Test
    void theFirstOfAKeyIsLoggedTheRestOfThePeriodCountedAndReportedWithTheNextLine() {
        for (int line = 1; line <= 56; line++) {
            log.warn("/proc/1/net/tcp", "malformed line skipped: {}:{}", "/proc/1/net/tcp", line);
        }
        assertThat(lines()).containsExactly("malformed line skipped: /proc/1/net/tcp:1");

        now.addAndGet(Duration.ofSeconds(60).toNanos());
        log.warn("/proc/1/net/tcp", "malformed line skipped: {}:{}", "/proc/1/net/tcp", 57);
        assertThat(lines()).last().isEqualTo(
                "malformed line skipped: /proc/1/net/tcp:57 (and 55 more like it since the last report, not logged)");
        assertThat(events).extracting(SubstituteLoggingEvent::getLevel).containsOnly(Level.WARN);
    }

    @Test
    void keysAreLimitedIndependently() {
        log.warn("a", "bad a");
        log.warn("b", "bad b");
        log.warn("a", "bad a again");
        log.error("c", "broken c");
        assertThat(lines()).containsExactly("bad a", "bad b", "broken c");
        assertThat(events).extracting(SubstituteLoggingEvent::getLevel).containsExactly(Level.WARN, Level.WARN, Level.ERROR);
    }
}
