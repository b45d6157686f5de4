package io.finwatch.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.collector.publish.KafkaPublisher;
import io.finwatch.collector.publish.ProducerSettings;
import io.finwatch.collector.publish.PublisherSettings;
import io.finwatch.testkit.EmbeddedKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Throughput of the buffer and of the buffer-to-Kafka path, each next to an anchor measured in the same run on
 * the same machine, so the ratio says how much our layer costs rather than how fast this box happens to be.
 *
 * <ul>
 *   <li>append: {@link EventBuffer#append} of ~200-byte events, vs. copying the same bytes into a direct
 *       ByteBuffer (the cheapest possible "append");</li>
 *   <li>publish: a pre-filled buffer drained by {@link KafkaPublisher} into a local {@link EmbeddedKafka} with
 *       acks=all until every event is acknowledged, vs. a bare KafkaProducer with the same configuration sending
 *       the same records from memory.</li>
 * </ul>
 *
 * Run from the repository root (not part of the test suite):
 * <pre>
 * mvn -B -q -pl collector -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED \
 *     --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED -Dchronicle.analytics.disable=true -Xmx2g \
 *     -cp collector/target/test-classes:collector/target/classes:$(cat collector/target/bench.cp) \
 *     io.finwatch.bench.BufferPublishBench [appendEvents] [publishEvents] [compression]
 * </pre>
 * Defaults: 5,000,000 append events, 2,000,000 publish events, zstd (the collector's default compression);
 * three measured rounds each after a warm-up, medians printed.
 */
public final class BufferPublishBench {
    private static final int PAYLOAD_BYTES = 150;
    private static final String KEY = "host-0042.dc1.example.net";
    private static final int ROUNDS = 3;

    private BufferPublishBench() {
    }

    public static void main(String[] args) throws Exception {
        int appendEvents = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
        int publishEvents = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        String compression = args.length > 2 ? args[2] : "zstd";
        byte[][] payloads = payloads();
        System.out.printf("event: key %d B + payload %d B + record header -> ~%d B on disk%n", KEY.length(),
                PAYLOAD_BYTES, 54 + KEY.length() + PAYLOAD_BYTES + 4);

        // A warm-up pass of each, then measured rounds interleaved with their anchor so that load from other
        // processes on a shared machine hits both alike; medians are reported.
        appendRate(appendEvents / 5, payloads);
        copyRate(appendEvents / 5, payloads);
        double[] append = new double[ROUNDS];
        double[] copy = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            append[r] = appendRate(appendEvents, payloads);
            copy[r] = copyRate(appendEvents, payloads);
        }
        System.out.printf("append  EventBuffer      %,12.0f events/s%n", median(append));
        System.out.printf("anchor  ByteBuffer copy  %,12.0f events/s   ratio %.3f%n", median(copy),
                median(append) / median(copy));

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Properties overrides = new Properties();
            overrides.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
            publishRate(kafka, publishEvents / 5, payloads, overrides);
            rawProducerRate(kafka, publishEvents / 5, payloads, overrides);
            double[] publish = new double[ROUNDS];
            double[] raw = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                publish[r] = publishRate(kafka, publishEvents, payloads, overrides);
                raw[r] = rawProducerRate(kafka, publishEvents, payloads, overrides);
            }
            System.out.printf("publish buffer->Kafka    %,12.0f events/s (acks=all, %s)%n", median(publish),
                    compression);
            System.out.printf("anchor  bare producer    %,12.0f events/s   ratio %.3f%n", median(raw),
                    median(publish) / median(raw));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static byte[][] payloads() {
        Random r = new Random(42);
        byte[][] out = new byte[1024][];
        for (int i = 0; i < out.length; i++) {
            // Avro-like: mostly small varints and repeated strings, compressible like the real events.
            out[i] = new byte[PAYLOAD_BYTES];
            for (int j = 0; j < PAYLOAD_BYTES; j++) {
                out[i][j] = (byte) (j % 7 == 0 ? r.nextInt(256) : 'a' + (j % 23));
            }
        }
        return out;
    }

    private static double appendRate(int n, byte[][] payloads) throws IOException {
        Path dir = Files.createTempDirectory("bench-append");
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir).withMaxBytes(Long.MAX_VALUE / 4, 0))) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                buffer.append(new BufferedEvent(EventKind.TRANSITION, i, KEY, payloads[i & 1023]));
            }
            return n * 1e9 / (System.nanoTime() - start);
        } finally {
            delete(dir);
        }
    }

    private static double copyRate(int n, byte[][] payloads) {
        ByteBuffer target = ByteBuffer.allocateDirect(64 << 20);
        byte[] key = KEY.getBytes();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            byte[] p = payloads[i & 1023];
            if (target.remaining() < 64 + key.length + p.length) {
                target.clear();
            }
            target.putLong(i).put(key).put(p);
        }
        return n * 1e9 / (System.nanoTime() - start);
    }

    private static double publishRate(EmbeddedKafka kafka, int n, byte[][] payloads, Properties overrides)
            throws IOException {
        String topic = "bench-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + "-hb", 1);
        Path dir = Files.createTempDirectory("bench-publish");
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir).withMaxBytes(Long.MAX_VALUE / 4, 0))) {
            for (int i = 0; i < n; i++) {
                buffer.append(new BufferedEvent(EventKind.TRANSITION, i, KEY, payloads[i & 1023]));
            }
            var topics = new java.util.EnumMap<EventKind, String>(EventKind.class);
            topics.put(EventKind.TRANSITION, topic);
            topics.put(EventKind.HEARTBEAT, topic + "-hb");
            PublisherSettings settings = PublisherSettings.defaults(kafka.bootstrapServers()).withTopics(topics)
                    .withProducerOverrides(overrides);
            long start = System.nanoTime();
            try (KafkaPublisher publisher = new KafkaPublisher(buffer, settings)) {
                publisher.start();
                while (publisher.acknowledged() < n) {
                    LockSupport.parkNanos(1_000_000);
                }
                return n * 1e9 / (System.nanoTime() - start);
            }
        } finally {
            delete(dir);
        }
    }

    private static double rawProducerRate(EmbeddedKafka kafka, int n, byte[][] payloads, Properties overrides) {
        String topic = "bench-raw-" + System.nanoTime();
        kafka.createTopic(topic, 1);
        byte[] key = KEY.getBytes();
        AtomicLong acked = new AtomicLong();
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(ProducerSettings.build(kafka.bootstrapServers(), overrides))) {
            for (int i = 0; i < n; i++) {
                // The same record the publisher builds: key, value, buffered-at timestamp, seq header.
                RecordHeaders headers = new RecordHeaders();
                headers.add(KafkaPublisher.SEQ_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(i).array());
                producer.send(new ProducerRecord<>(topic, null, System.currentTimeMillis(), key, payloads[i & 1023],
                        headers), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (acked.get() != n) {
            throw new IllegalStateException("bare producer lost records: " + acked.get() + " of " + n);
        }
        return n * 1e9 / (System.nanoTime() - start);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
