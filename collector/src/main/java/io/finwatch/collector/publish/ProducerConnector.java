package io.finwatch.collector.publish;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.finwatch.collector.publish.KafkaPublisher.State;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the Kafka producer on the publisher's thread, and keeps trying while it cannot be made: Kafka's client
 * resolves the bootstrap names when the producer is constructed and refuses to exist when none resolves, so a DNS
 * hiccup at a pod's start would otherwise end the collector. Meanwhile the status says RETRYING with the reason,
 * and polling goes on into the buffer.
 */
final class ProducerConnector {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerConnector.class);

    private final Properties properties;
    private final String bootstrapServers;
    private final PublisherStatus status;
    private final List<Consumer<Producer<byte[], byte[]>>> waiting = new CopyOnWriteArrayList<>();
    private volatile Producer<byte[], byte[]> producer;

    ProducerConnector(Properties properties, String bootstrapServers, PublisherStatus status) {
        this.properties = properties;
        this.bootstrapServers = bootstrapServers;
        this.status = status;
    }

    /**
     * The producer, made now or after failed attempts spaced by {@code backoff} doubling up to {@code max}; null
     * when {@code running} turned false first.
     *
     * @param failedAttempt called once per failed attempt (counted as a retry)
     * @param pause         sleeps, returning early when the publisher is closed
     */
    Producer<byte[], byte[]> connect(BooleanSupplier running, Duration backoff, Duration max, Runnable failedAttempt,
                                     Consumer<Duration> pause) {
        Duration wait = backoff;
        while (running.getAsBoolean()) {
            try {
                Producer<byte[], byte[]> p = new KafkaProducer<>(properties);
                producer = p;
                for (Consumer<Producer<byte[], byte[]>> c : waiting) {
                    if (waiting.remove(c)) {
                        c.accept(p);
                    }
                }
                if (status.raw() == State.RETRYING) {
                    LOG.info("Kafka producer created for {}", bootstrapServers);
                    status.set(State.RUNNING);
                }
                return p;
            } catch (KafkaException e) {
                String reason = ProducerFailure.describeCreation(e, bootstrapServers);
                if (status.retrying(reason)) {
                    LOG.warn("cannot create the Kafka producer: {}; polling continues into the buffer, retrying with "
                            + "backoff up to {} s", reason, max.toSeconds());
                }
                failedAttempt.run();
                pause.accept(wait);
                wait = wait.multipliedBy(2).compareTo(max) <= 0 ? wait.multipliedBy(2) : max;
            }
        }
        return null;
    }

    /** The producer, or null before it exists. */
    Producer<byte[], byte[]> current() {
        return producer;
    }

    /** Runs {@code c} with the producer once it exists (at once when it does). */
    void whenReady(Consumer<Producer<byte[], byte[]>> c) {
        waiting.add(c);
        Producer<byte[], byte[]> p = producer;
        if (p != null && waiting.remove(c)) {
            c.accept(p);
        }
    }
}
