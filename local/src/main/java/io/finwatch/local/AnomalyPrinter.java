package io.finwatch.local;

import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.FinwatchSerdeException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prints each anomaly as it is committed to the anomalies topic, one line each. It reads only committed records
 * (the detector writes in transactions, so an aborted attempt is never shown) and starts at the end: the history
 * is what the API and the dashboard are for.
 */
final class AnomalyPrinter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnomalyPrinter.class);
    private static final int LINES_PER_SECOND = 20;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final PrintStream out;
    private final ZoneId zone;
    private final Thread thread;
    private volatile boolean stopping;

    private AnomalyPrinter(KafkaConsumer<byte[], byte[]> consumer, PrintStream out, ZoneId zone) {
        this.consumer = consumer;
        this.out = out;
        this.zone = zone;
        this.thread = new Thread(this::run, "finwatch-anomaly-printer");
        this.thread.setDaemon(true);
    }

    /** Assigned to every partition of {@code topic} and positioned at its end before this returns. */
    static AnomalyPrinter start(String bootstrap, String topic, PrintStream out, ZoneId zone) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "finwatch-local-printer");
        // A fetch returns as soon as an anomaly is there; waiting longer only spares the broker empty round trips.
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5000");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            // Resolve the end offsets now, so an anomaly committed right after start is printed, not skipped.
            parts.forEach(consumer::position);
        } catch (RuntimeException e) {
            consumer.close(Duration.ZERO);
            throw e;
        }
        AnomalyPrinter printer = new AnomalyPrinter(consumer, out, zone);
        printer.thread.start();
        return printer;
    }

    private void run() {
        FinwatchSerde serde = FinwatchSerde.shared();
        LineBudget lines = new LineBudget(out, LINES_PER_SECOND, System::nanoTime);
        try {
            while (!stopping) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        FinWait2Anomaly a = serde.decode(r.value(), FinWait2Anomaly.class);
                        lines.print(AnomalyLine.ownerOf(a), AnomalyLine.format(a, zone));
                    } catch (FinwatchSerdeException e) {
                        log.warn("{} partition {} offset {}: not an anomaly record: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
                    }
                }
                lines.roll();
                out.flush();
            }
        } catch (WakeupException stop) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("anomaly printer stopped; anomalies are still in the topic and the API", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        consumer.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
