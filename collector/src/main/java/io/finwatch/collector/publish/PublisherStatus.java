package io.finwatch.collector.publish;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

import io.finwatch.collector.buffer.StoredEvent;
import io.finwatch.collector.publish.KafkaPublisher.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the publisher is doing and why, as /healthz and the state metric tell it. Written by the publisher thread,
 * read by anyone; a RUNNING publisher that has stopped moving reads as STALLED (see {@link StallWatch}).
 */
final class PublisherStatus {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    private final Clock clock;
    private final StallWatch stall;
    private volatile State state = State.NEW;
    private volatile String reason;
    private volatile long since;

    PublisherStatus(Clock clock, StallWatch stall) {
        this.clock = clock;
        this.stall = stall;
    }

    /** The state as reported: STALLED instead of RUNNING when nothing moves while {@code waiting} events wait. */
    State state(long waiting, Supplier<String> stallDetail) {
        State s = state;
        if (s == State.RUNNING && stall.stalledFor(waiting > 0, stallDetail) != null) {
            return State.STALLED;
        }
        return s;
    }

    /** The state as the publisher set it. */
    State raw() {
        return state;
    }

    void set(State s) {
        state = s;
    }

    /** Enters (or stays in) RETRYING for {@code why}; true when that is news worth a log line. */
    boolean retrying(String why) {
        boolean news = state != State.RETRYING || !why.equals(reason);
        if (state != State.RETRYING) {
            since = clock.millis();
        }
        reason = why;
        state = State.RETRYING;
        return news;
    }

    void blocked(String why) {
        if (state != State.BLOCKED) {
            since = clock.millis();
        }
        reason = why;
        state = State.BLOCKED;
    }

    /** The resume point moved, or nothing waits. */
    void progressed() {
        stall.progressed();
    }

    /** The last error seen, or null. */
    String reason() {
        return reason;
    }

    /**
     * Classifies a failed round of sends, says so and returns how long to wait before the next round. A retriable
     * error (broker down, leader moving, a batch expiring after {@code delivery.timeout.ms}): RETRYING, one WARN per
     * outage or change of error, the exponential backoff. A non-retriable one (authorization, record too large):
     * BLOCKED, an ERROR with index, topic and seq, and the same event again after
     * {@link PublisherSettings#blockedBackoff()}, so that an operator's fix resumes delivery without a restart; if
     * the block lasts, the buffer's cap sheds new events and the heartbeats declare them.
     */
    Duration roundFailed(StoredEvent at, String topic, Exception cause, Duration backoff, PublisherSettings settings) {
        String error = cause.toString();
        if (ProducerFailure.isRetriable(cause)) {
            if (retrying(error)) {
                LOG.warn("Kafka send failed at buffer index {} (topic {}, seq {}): {}; re-sending from the last "
                        + "acknowledged position, backing off up to {} s", hex(at.index()), topic, at.event().seq(),
                        error, settings.retryBackoffMax().toSeconds());
            } else {
                LOG.debug("Kafka still failing at buffer index {}: {}", hex(at.index()), error);
            }
            return backoff;
        }
        blocked(error);
        LOG.error("Kafka refused buffer index {} (topic {}, seq {}) with a non-retriable error: {}. Publishing is "
                + "blocked at this event (it is not skipped); retrying in {} s. Fix the cause (ACLs, credentials, "
                + "topic config) to resume.", hex(at.index()), topic, at.event().seq(), error,
                settings.blockedBackoff().toSeconds());
        return settings.blockedBackoff();
    }

    /** What is known when events wait and nothing moves. */
    String stallDetail(long lagMillis, long waiting, int inFlight, String readerAt) {
        String last = reason;
        return "no event acknowledged for " + Duration.ofMillis(lagMillis).toSeconds() + " s while " + waiting
                + " wait in the buffer; " + inFlight + " sends in flight, buffer read up to index " + readerAt
                + (last == null ? "" : ", last error " + last);
    }

    private static String hex(long index) {
        return "0x" + Long.toHexString(index);
    }

    /** One sentence for /healthz. */
    String detail(State s, long waiting, Supplier<String> stallDetail) {
        String backlog = waiting + " events wait in the buffer";
        long forSeconds = Duration.ofMillis(Math.max(0, clock.millis() - since)).toSeconds();
        return switch (s) {
            case RETRYING -> "Kafka unreachable for " + forSeconds + " s (" + reason + "); " + backlog;
            case BLOCKED -> "Kafka refused an event for good " + forSeconds + " s ago (" + reason + "); " + backlog;
            case STALLED -> stallDetail.get();
            default -> s + "; " + backlog;
        };
    }
}
