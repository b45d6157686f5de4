package io.finwatch.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.buffer.LogCapture;
import io.finwatch.collector.buffer.MutableClock;
import io.finwatch.collector.publish.KafkaPublisher.State;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StallWatchTest {
    private final AtomicLong nanos = new AtomicLong();
    private final PublisherStatus status = new PublisherStatus(new MutableClock(0),
            new StallWatch(Duration.ofSeconds(45), nanos::get));

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void runningWithEventsWaitingAndNothingAcknowledgedReadsAsStalledWithTheReason() {
        status.set(State.RUNNING);
        try (LogCapture log = new LogCapture("io.finwatch.collector.publish")) {
            advance(Duration.ofSeconds(44));
            assertThat(status.state(120, () -> "reader at 0x1")).isEqualTo(State.RUNNING);
            advance(Duration.ofSeconds(2));
            assertThat(status.state(120, () -> "reader at 0x1")).isEqualTo(State.STALLED);
            assertThat(status.detail(State.STALLED, 120, () -> "no event acknowledged for 46 s")).isEqualTo(
                    "no event acknowledged for 46 s");
            assertThat(status.state(120, () -> "reader at 0x1")).isEqualTo(State.STALLED);
            assertThat(log.atLeast(ch.qos.logback.classic.Level.WARN)).as("said once")
                    .containsExactly("WARN publishing has stalled: reader at 0x1");
            status.progressed();
            assertThat(status.state(120, () -> "reader at 0x1")).isEqualTo(State.RUNNING);
        }
    }

    @Test
    void anIdlePublisherIsNotStalledAndRetryingSaysWhyInstead() {
        status.set(State.RUNNING);
        advance(Duration.ofMinutes(10));
        assertThat(status.state(0, () -> "idle")).as("nothing waits").isEqualTo(State.RUNNING);
        status.retrying("TimeoutException: Topic finwatch.transitions not present in metadata");
        assertThat(status.state(500, () -> "")).isEqualTo(State.RETRYING);
        assertThat(status.detail(State.RETRYING, 500, () -> "")).isEqualTo("Kafka unreachable for 0 s "
                + "(TimeoutException: Topic finwatch.transitions not present in metadata); 500 events wait in the buffer");
    }
}
