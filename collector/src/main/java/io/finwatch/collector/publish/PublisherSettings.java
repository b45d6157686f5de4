package io.finwatch.collector.publish;

import io.finwatch.schemas.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import io.finwatch.collector.buffer.EventKind;

/**
 * How the publisher talks to Kafka.
 *
 * @param bootstrapServers  Kafka bootstrap list
 * @param producerOverrides extra producer properties (TLS, SASL, tuning); see {@link ProducerSettings}
 * @param topics            topic per event kind
 * @param readerName        name of the Chronicle tailer that reads the buffer
 * @param maxInFlight       sends outstanding at once (default 32768: enough to keep acks=all busy at several
 *                          100k events/s over a few ms of ack latency); sends are also bounded to half of the
 *                          producer's buffer.memory in bytes
 * @param retryBackoffMin   first pause after a failed round of sends
 * @param retryBackoffMax   longest pause between rounds while Kafka stays unreachable
 * @param blockedBackoff    pause between attempts after a non-retriable error (waiting for an operator fix)
 * @param shutdownTimeout   how long {@link KafkaPublisher#close()} waits for in-flight sends
 * @param stallAfter        how long events may wait with nothing acknowledged before a RUNNING publisher reports
 *                          STALLED; never less than the producer's delivery timeout plus a margin
 * @param clock             for publish lag
 */
public record PublisherSettings(String bootstrapServers, Properties producerOverrides, Map<EventKind, String> topics,
                                String readerName, int maxInFlight, Duration retryBackoffMin,
                                Duration retryBackoffMax, Duration blockedBackoff, Duration shutdownTimeout,
                                Duration stallAfter, Clock clock) {
    public PublisherSettings {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        topics = Map.copyOf(topics);
        for (EventKind kind : EventKind.values()) {
            if (!topics.containsKey(kind)) {
                throw new IllegalArgumentException("no topic for " + kind);
            }
        }
        Properties copy = new Properties();
        copy.putAll(producerOverrides);
        producerOverrides = copy;
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1");
        }
    }

    public static PublisherSettings defaults(String bootstrapServers) {
        Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        topics.put(EventKind.TRANSITION, Topics.TRANSITIONS);
        // In the host's transitions partition, after the transitions of the poll each closes (Topics.TRANSITIONS).
        topics.put(EventKind.HEARTBEAT, Topics.TRANSITIONS);
        return new PublisherSettings(bootstrapServers, new Properties(), topics, "kafka-publisher", 32_768,
                Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(3),
                Duration.ZERO, Clock.systemUTC());
    }

    public PublisherSettings withProducerOverrides(Properties overrides) {
        return new PublisherSettings(bootstrapServers, overrides, topics, readerName, maxInFlight, retryBackoffMin,
                retryBackoffMax, blockedBackoff, shutdownTimeout, stallAfter, clock);
    }

    public PublisherSettings withTopics(Map<EventKind, String> t) {
        return new PublisherSettings(bootstrapServers, producerOverrides, t, readerName, maxInFlight,
                retryBackoffMin, retryBackoffMax, blockedBackoff, shutdownTimeout, stallAfter, clock);
    }

    public PublisherSettings withBackoff(Duration min, Duration max, Duration blocked) {
        return new PublisherSettings(bootstrapServers, producerOverrides, topics, readerName, maxInFlight, min, max,
                blocked, shutdownTimeout, stallAfter, clock);
    }

    public PublisherSettings withMaxInFlight(int n) {
        return new PublisherSettings(bootstrapServers, producerOverrides, topics, readerName, n, retryBackoffMin,
                retryBackoffMax, blockedBackoff, shutdownTimeout, stallAfter, clock);
    }

    public PublisherSettings withStallAfter(Duration d) {
        return new PublisherSettings(bootstrapServers, producerOverrides, topics, readerName, maxInFlight,
                retryBackoffMin, retryBackoffMax, blockedBackoff, shutdownTimeout, d, clock);
    }

    public PublisherSettings withClock(Clock c) {
        return new PublisherSettings(bootstrapServers, producerOverrides, topics, readerName, maxInFlight,
                retryBackoffMin, retryBackoffMax, blockedBackoff, shutdownTimeout, stallAfter, c);
    }
}
