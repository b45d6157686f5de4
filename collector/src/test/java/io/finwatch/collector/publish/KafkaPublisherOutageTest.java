package io.finwatch.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.collector.buffer.LogCapture;
import io.finwatch.collector.buffer.SeqRange;
import io.finwatch.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka goes away while the collector keeps appending. Own broker: these tests stop it. */
class KafkaPublisherOutageTest {
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    /** Short producer timeouts so that batches expire during the outage and the re-send path runs. */
    private static PublisherSettings settings() {
        Properties fast = new Properties();
        fast.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000");
        fast.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "2000");
        fast.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "500");
        fast.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        return KafkaPublisherTest.settings(kafka, 1).withProducerOverrides(fast)
                .withBackoff(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    /** Appends an increasing seq stream at about 2k events/s until stopped. */
    private static final class Appender implements AutoCloseable {
        final AtomicLong next = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final List<SeqRange> gapMarkers = new ArrayList<>();
        final Thread thread;

        Appender(EventBuffer buffer) {
            thread = new Thread(() -> {
                while (running.get()) {
                    long seq = next.getAndIncrement();
                    boolean heartbeat = seq % 50 == 0;
                    byte[] payload = ("event-" + seq).getBytes(StandardCharsets.UTF_8);
                    if (heartbeat) {
                        List<SeqRange> gaps = buffer.drainShedRanges();
                        synchronized (gapMarkers) {
                            gapMarkers.addAll(gaps);
                        }
                        payload = ("heartbeat-" + seq + " gaps=" + gaps).getBytes(StandardCharsets.UTF_8);
                    }
                    buffer.append(new BufferedEvent(heartbeat ? EventKind.HEARTBEAT : EventKind.TRANSITION, seq,
                            "host-a", payload));
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500)); // pacing, not synchronisation
                }
            }, "test-appender");
            thread.start();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void everySeqArrivesAfterTheBrokerWasDownDuringContinuousAppends() throws Exception {
        PublisherSettings settings = settings();
        long appended;
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
            publisher.start();
            try (Appender appender = new Appender(buffer)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> publisher.acknowledged() > 500);
                kafka.stopBroker();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> publisher.retried() > 0);
                    assertThat(publisher.state()).isIn(KafkaPublisher.State.RETRYING, KafkaPublisher.State.RUNNING);
                    long depth = buffer.stats().depthEvents();
                    await().atMost(Duration.ofSeconds(10)).until(() -> buffer.stats().depthEvents() > depth);
                } finally {
                    kafka.startBroker();
                }
                long resumedAt = appender.next.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> appender.next.get() > resumedAt + 500);
            }
            assertThat(buffer.shedTotal()).isZero();
            appended = buffer.lastSeq() + 1;
            await().atMost(Duration.ofSeconds(60)).until(() -> buffer.stats().depthEvents() == 0);
            assertThat(publisher.state()).isEqualTo(KafkaPublisher.State.RUNNING);
            assertThat(buffer.depthEvents()).isZero();
        }
        List<Published> all = Published.all(kafka.consumeAll(settings.topics().values().toArray(String[]::new)));
        TreeSet<Long> seqs = Published.seqs(all);
        assertThat(seqs.first()).isZero();
        assertThat(seqs.last()).isEqualTo(appended - 1);
        assertThat(seqs).as("no gap").hasSize((int) appended);
    }

    @Test
    void underTheDiskCapNewEventsAreShedAndExactlyTheShedSeqsAreMissingAfterwards() throws Exception {
        PublisherSettings settings = settings();
        TreeSet<Long> shed = new TreeSet<>();
        List<SeqRange> markers;
        long appended;
        // ~1500 events of ~70 bytes fit under the cap.
        BufferSettings capped = BufferSettings.defaults(dir).withMaxBytes(100_000, 5_000);
        try (EventBuffer buffer = EventBuffer.open(capped);
             KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
            publisher.start();
            Appender appender = new Appender(buffer);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> publisher.acknowledged() > 200);
                kafka.stopBroker();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> buffer.shedTotal() > 1_000);
                } finally {
                    kafka.startBroker();
                }
                // Once Kafka drains the backlog below the cap, appends are stored again.
                long resumedAt = appender.next.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> buffer.lastSeq() > resumedAt + 200);
            } finally {
                appender.close();
            }
            // The last heartbeat may have come before the last shed event: hand over what is left.
            List<SeqRange> rest = buffer.drainShedRanges();
            synchronized (appender.gapMarkers) {
                appender.gapMarkers.addAll(rest);
                markers = List.copyOf(appender.gapMarkers);
            }
            for (SeqRange r : markers) {
                for (long s = r.first(); s <= r.last(); s++) {
                    shed.add(s);
                }
            }
            assertThat((long) shed.size()).isEqualTo(buffer.shedTotal());
            appended = appender.next.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> buffer.stats().depthEvents() == 0);
        }
        List<Published> all = Published.all(kafka.consumeAll(settings.topics().values().toArray(String[]::new)));
        TreeSet<Long> missing = new TreeSet<>();
        TreeSet<Long> seqs = Published.seqs(all);
        for (long s = 0; s < appended; s++) {
            if (!seqs.contains(s)) {
                missing.add(s);
            }
        }
        assertThat(missing).isNotEmpty().isEqualTo(shed);
        // The gap markers themselves reached Kafka inside heartbeats.
        assertThat(all).filteredOn(p -> p.payload().startsWith("heartbeat-") && !p.payload().endsWith("gaps=[]"))
                .isNotEmpty();
    }

    @Test
    void closingWhileKafkaIsDownKeepsTheUnacknowledgedEventsForTheNextPublisher() {
        PublisherSettings settings = settings();
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            try (KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
                publisher.start();
                for (long seq = 0; seq < 1_000; seq++) {
                    buffer.append(KafkaPublisherTest.event(seq));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> buffer.stats().depthEvents() == 0);
                kafka.stopBroker();
                for (long seq = 1_000; seq < 1_500; seq++) {
                    buffer.append(KafkaPublisherTest.event(seq));
                }
            } finally {
                // close() above ran with the broker down: it must return and leave 500 events unacknowledged.
                kafka.startBroker();
            }
            assertThat(buffer.stats().depthEvents()).isEqualTo(500);
            try (KafkaPublisher next = new KafkaPublisher(buffer, settings)) {
                next.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> buffer.stats().depthEvents() == 0);
            }
        }
        TreeSet<Long> seqs = Published.seqs(Published.all(
                kafka.consumeAll(settings.topics().values().toArray(String[]::new))));
        assertThat(seqs).hasSize(1_500);
        assertThat(seqs.last()).isEqualTo(1_499L);
    }

    @Test
    void aNonRetriableErrorBlocksPublishingAtThatEventUntilTheCauseIsFixedAndSkipsNothing() {
        PublisherSettings settings = settings();
        String transitions = settings.topics().get(EventKind.TRANSITION);
        // The broker refuses record batches over 300 bytes on this topic: RecordTooLargeException.
        kafka.setTopicConfig(transitions, "max.message.bytes", "300");
        try (LogCapture log = new LogCapture(KafkaPublisher.class.getName());
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
            publisher.start();
            buffer.append(KafkaPublisherTest.event(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> buffer.stats().depthEvents() == 0);
            byte[] big = new byte[1_000];
            new java.util.Random(7).nextBytes(big); // incompressible, or zstd would shrink it under the limit
            buffer.append(new BufferedEvent(EventKind.TRANSITION, 2, "host-odd", big));
            for (long seq = 3; seq < 100; seq++) {
                buffer.append(KafkaPublisherTest.event(seq));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> publisher.state() == KafkaPublisher.State.BLOCKED);
            assertThat(publisher.failed()).isPositive();
            assertThat(log.errors()).anySatisfy(m -> assertThat(m).contains("seq 2", transitions, "not skipped"));
            assertThat(buffer.stats().depthEvents()).as("nothing after the refused event is acknowledged")
                    .isEqualTo(98);

            kafka.setTopicConfig(transitions, "max.message.bytes", "1048588");
            await().atMost(Duration.ofSeconds(30)).until(() -> buffer.stats().depthEvents() == 0);
            assertThat(publisher.state()).isEqualTo(KafkaPublisher.State.RUNNING);
        }
        TreeSet<Long> seqs = Published.seqs(Published.all(
                kafka.consumeAll(settings.topics().values().toArray(String[]::new))));
        assertThat(seqs).containsExactlyElementsOf(java.util.stream.LongStream.range(1, 100).boxed().toList());
    }
}
