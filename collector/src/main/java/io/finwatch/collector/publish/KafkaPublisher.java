package io.finwatch.collector.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.finwatch.collector.buffer.BufferReader;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.StoredEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the {@link EventBuffer} and produces every event to Kafka: topic by {@link io.finwatch.collector.buffer.EventKind},
 * key = the event's key (host name: one host's events share a partition and stay in order), value = payload,
 * headers {@value #EPOCH_HEADER} and {@value #SEQ_HEADER} = the event's epoch and seq as 8 big-endian bytes
 * each, timestamp = when the event was buffered.
 *
 * <h2>Acknowledgement</h2>
 * Sends stay in flight (up to {@link PublisherSettings#maxInFlight()}); as Kafka acknowledges them the newest
 * event before which everything is acknowledged becomes the buffer's persisted resume point. After any restart,
 * clean or not, publishing resumes right after it: events sent but not acknowledged are sent again (duplicates
 * after an unclean stop), never skipped.
 *
 * <h2>Starting without Kafka</h2>
 * The producer is made on the publisher's thread, retried while its bootstrap names do not resolve
 * ({@link ProducerConnector}); an unreachable address just makes sends fail with retriable errors until a broker
 * answers. Only a setting Kafka's validation rejects fails the start, from the constructor.
 *
 * <h2>Errors</h2>
 * A failed send ends the round: the publisher waits for the sends still out, rewinds to the acknowledged position
 * and sends again after a backoff; a retriable error (RETRYING) backs off exponentially, a non-retriable one
 * (BLOCKED, counted in {@link #failed()}) retries the same event every {@link PublisherSettings#blockedBackoff()}
 * so that an operator's fix resumes delivery; an event is never skipped ({@link PublisherStatus#roundFailed}).
 * RUNNING with events waiting and nothing acknowledged for too long reads as STALLED ({@link StallWatch}).
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops reading, gives in-flight sends up to {@link PublisherSettings#shutdownTimeout()} to be
 * acknowledged, persists the acknowledged position and closes the producer; the caller closes the buffer
 * afterwards. The whole path is bounded by shutdownTimeout plus the producer's (clamped) max.block.ms.
 */
public final class KafkaPublisher implements AutoCloseable {
    /** Record header carrying the event's seq, 8 bytes big-endian. */
    public static final String SEQ_HEADER = "finwatch.seq";
    /** Record header carrying the epoch of the run that numbered the event, 8 bytes big-endian. */
    public static final String EPOCH_HEADER = "finwatch.epoch";

    /** What the publisher is doing, for health checks and alerts (the metric is the ordinal). */
    public enum State { NEW, RUNNING, RETRYING, BLOCKED, STOPPED, STALLED }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);
    /**
     * Longest idle wait. The appender calls {@link #wake()} after each poll's events and every acknowledgement
     * signals too, so this only bounds how late an append nobody announced is seen.
     */
    static final long IDLE_CEILING_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** Beyond the delivery timeout, before a publisher that has not heard back is called stalled. */
    private static final Duration STALL_MARGIN = Duration.ofSeconds(15);

    private final EventBuffer buffer;
    private final PublisherSettings settings;
    private final Properties producerProperties;
    private final long maxInFlightBytes;
    private final PublisherStatus status;
    private final InFlightWindow window = new InFlightWindow();
    private final ProducerConnector connector;
    private final Wakeup idle = new Wakeup();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean running;
    private volatile long readerPosition = EventBuffer.NO_INDEX;

    /**
     * @throws org.apache.kafka.common.config.ConfigException when Kafka's validation rejects a producer setting
     */
    public KafkaPublisher(EventBuffer buffer, PublisherSettings settings) {
        this.buffer = buffer;
        this.settings = settings;
        this.producerProperties = ProducerSettings.build(settings.bootstrapServers(), settings.producerOverrides());
        Map<String, Object> parsed = ProducerConfig.configDef().parse(producerProperties);
        this.maxInFlightBytes = ((Number) parsed.get(ProducerConfig.BUFFER_MEMORY_CONFIG)).longValue() / 2;
        // Every send ends in an acknowledgement or an error within the delivery timeout: waiting longer is a stall.
        Duration delivery = Duration.ofMillis(((Number) parsed.get(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)).longValue());
        Duration stallAfter = settings.stallAfter().compareTo(delivery.plus(STALL_MARGIN)) > 0 ? settings.stallAfter()
                : delivery.plus(STALL_MARGIN);
        this.status = new PublisherStatus(settings.clock(), new StallWatch(stallAfter, System::nanoTime));
        this.connector = new ProducerConnector(producerProperties, settings.bootstrapServers(), status);
        this.thread = new Thread(this::run, "finwatch-kafka-publisher");
        this.thread.setDaemon(true);
    }

    public synchronized void start() {
        if (status.raw() != State.NEW) {
            throw new IllegalStateException("publisher already " + status.raw());
        }
        running = true;
        status.set(State.RUNNING);
        thread.start();
    }

    private void run() {
        producer = connector.connect(() -> running, settings.retryBackoffMin(), settings.retryBackoffMax(),
                retried::incrementAndGet, this::pause);
        if (producer == null) {
            status.set(State.STOPPED);
            return;
        }
        Duration backoff = settings.retryBackoffMin();
        try (BufferReader reader = buffer.openReader(settings.readerName())) {
            while (running) {
                try {
                    State s = status.raw();
                    if (persistAcknowledged() && (s == State.RETRYING || s == State.BLOCKED)) {
                        status.set(State.RUNNING);
                        backoff = settings.retryBackoffMin();
                    }
                    if (buffer.depthEvents() == 0) {
                        status.progressed();
                    }
                    readerPosition = reader.position();
                    InFlightWindow.Failure failure = window.failure();
                    if (failure != null) {
                        if (window.outstanding() > 0) {
                            idle.await(IDLE_CEILING_NANOS);
                            continue;
                        }
                        Duration wait = endRound(failure, reader, backoff);
                        if (status.raw() == State.RETRYING) {
                            backoff = min(backoff.multipliedBy(2), settings.retryBackoffMax());
                        }
                        pause(wait);
                        continue;
                    }
                    if (sendAvailable(reader) == 0) {
                        idle.await(IDLE_CEILING_NANOS);
                    }
                } catch (RuntimeException unexpected) {
                    if (buffer.isClosed()) {
                        LOG.warn("buffer {} was closed before the publisher; stopping", buffer.dir());
                        break;
                    }
                    LOG.error("publisher loop error at reader position {}; rewinding to the acknowledged position",
                            hex(reader.position()), unexpected);
                    pause(backoff);
                    if (window.outstanding() == 0) {
                        window.reset();
                        reader.seekAfter(buffer.acknowledgedIndex());
                    }
                }
            }
        } catch (RuntimeException fatal) {
            LOG.error("publisher cannot read buffer {}", buffer.dir(), fatal);
        } finally {
            shutdownProducer();
        }
    }

    private int sendAvailable(BufferReader reader) {
        int sent = 0;
        while (running && window.canSend(settings.maxInFlight(), maxInFlightBytes)) {
            StoredEvent e = reader.next();
            if (e == null) {
                break;
            }
            send(e);
            sent++;
        }
        return sent;
    }

    private void send(StoredEvent e) {
        InFlightWindow.Entry entry = window.add(e);
        String topic = settings.topics().get(e.event().kind());
        RecordHeaders headers = new RecordHeaders();
        headers.add(EPOCH_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(e.epoch()).array());
        headers.add(SEQ_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(e.event().seq()).array());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, e.appendedAtMillis(),
                e.event().key().getBytes(StandardCharsets.UTF_8), e.event().payload(), headers);
        try {
            producer.send(record, (metadata, exception) -> {
                if (exception == null) {
                    window.acknowledged(entry);
                } else {
                    onFailure(entry, exception);
                }
                idle.signal();
            });
        } catch (KafkaException | IllegalStateException refused) {
            // Refused before it reached the accumulator: metadata not available within max.block.ms, record
            // larger than max.request.size, producer closed.
            onFailure(entry, refused);
        }
    }

    private void onFailure(InFlightWindow.Entry entry, Exception exception) {
        if (ProducerFailure.isRetriable(exception)) {
            retried.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
        window.failed(entry, exception);
    }

    /** Rewinds after a failed round; returns how long to wait before the next one. */
    private Duration endRound(InFlightWindow.Failure failure, BufferReader reader, Duration backoff) {
        persistAcknowledged();
        StoredEvent at = failure.event();
        Duration wait = status.roundFailed(at, settings.topics().get(at.event().kind()), failure.cause(), backoff,
                settings);
        window.reset();
        reader.seekAfter(buffer.acknowledgedIndex());
        return wait;
    }

    /** Persists the newest contiguously acknowledged event; true if the position moved. */
    private boolean persistAcknowledged() {
        StoredEvent acked = window.takeAcknowledged();
        if (acked == null) {
            return false;
        }
        buffer.acknowledge(acked);
        status.progressed();
        return true;
    }

    private void pause(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        while (running) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(this, left);
        }
    }

    private void shutdownProducer() {
        try {
            // Flushes what is in flight within the timeout; whatever is still unacknowledged then is aborted and
            // will be re-sent by the next publisher on this buffer.
            if (producer != null) {
                producer.close(settings.shutdownTimeout());
            }
        } catch (RuntimeException e) {
            LOG.warn("closing Kafka producer: {}", e.toString());
        }
        persistAcknowledged();
        status.set(State.STOPPED);
    }

    /** Stops publishing; bounded by shutdownTimeout plus the producer's max.block.ms. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (status.raw() == State.NEW) {
                status.set(State.STOPPED);
                return;
            }
        }
        running = false;
        idle.signal();
        LockSupport.unpark(thread);
        try {
            thread.join(settings.shutdownTimeout().plusMillis(ProducerSettings.MAX_BLOCK_LIMIT_MS).toMillis());
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Tells the publisher that new events were appended, so it does not wait out its idle pause. */
    public void wake() {
        idle.signal();
    }

    /** The state; STALLED when it would say RUNNING but events wait and nothing was acknowledged for too long. */
    public State state() {
        return status.state(buffer.depthEvents(), this::stallDetail);
    }

    /** What {@link #state()} means now, in a sentence for /healthz. */
    public String detail() {
        return status.detail(state(), buffer.depthEvents(), this::stallDetail);
    }

    private String stallDetail() {
        return status.stallDetail(lagMillis(), buffer.depthEvents(), window.outstanding(), hex(readerPosition));
    }

    /** Events Kafka acknowledged (contiguously) since start. */
    public long acknowledged() {
        return window.acknowledgedTotal();
    }

    /** Sends (and attempts to create the producer) that failed with a retriable error and will be tried again. */
    public long retried() {
        return retried.get();
    }

    /** Sends refused with a non-retriable error (publisher BLOCKED). */
    public long failed() {
        return failed.get();
    }

    /** Age of the oldest event Kafka has not acknowledged (sent or not yet read): it grows through an outage. */
    public long lagMillis() {
        long now = settings.clock().millis();
        long sent = window.lagMillis(now);
        return sent != InFlightWindow.NONE ? sent : buffer.oldestUnacknowledgedAgeMillis(now);
    }

    /** Runs {@code c} with the producer once it exists (at once when it does), e.g. to bind its metrics. */
    public void whenProducerReady(Consumer<Producer<byte[], byte[]>> c) {
        connector.whenReady(c);
    }

    /** The producer's metrics; empty while there is no producer. */
    public Map<MetricName, ? extends Metric> producerMetrics() {
        Producer<byte[], byte[]> p = connector.current();
        return p == null ? Map.of() : p.metrics();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String hex(long index) {
        return "0x" + Long.toHexString(index);
    }
}
