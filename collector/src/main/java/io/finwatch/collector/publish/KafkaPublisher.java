package io.finwatch.collector.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.finwatch.collector.buffer.BufferReader;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.StoredEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails the {@link EventBuffer} and produces every event to Kafka: topic by {@link io.finwatch.collector.buffer.EventKind},
 * key = the event's key (host name: one host's events share a partition and stay in order), value = payload,
 * header {@value #SEQ_HEADER} = the seq as 8 big-endian bytes, timestamp = when the event was buffered.
 *
 * <h2>Acknowledgement</h2>
 * Sends stay in flight (up to {@link PublisherSettings#maxInFlight()}); as Kafka acknowledges them the newest
 * event before which everything is acknowledged becomes the buffer's persisted resume point. After any restart,
 * clean or not, publishing resumes right after it: events sent but not acknowledged are sent again (duplicates
 * after an unclean stop), never skipped.
 *
 * <h2>Errors</h2>
 * A retriable error (broker down, leader moving, a batch expiring after {@code delivery.timeout.ms}) ends the
 * round: the publisher waits for the sends still out, rewinds to the acknowledged position and re-sends after an
 * exponential backoff ({@link PublisherSettings#retryBackoffMin()} doubling to
 * {@link PublisherSettings#retryBackoffMax()}). Meanwhile the buffer keeps growing up to its cap.
 * A non-retriable error (authorization, record too large, unknown topic config...) means stop-and-alert: the
 * publisher logs ERROR with the index, topic and seq, counts it in {@link #failed()}, reports
 * {@link State#BLOCKED}, and retries the same event every {@link PublisherSettings#blockedBackoff()} so that an
 * operator's fix (ACL, topic {@code max.message.bytes}) resumes delivery without a restart. It never skips the
 * event: no data is dropped behind anybody's back; if the block lasts, the buffer's cap sheds new events and the
 * heartbeats' gap markers make that loss visible.
 *
 * <h2>Shutdown</h2>
 * {@link #close()} stops reading, gives in-flight sends up to {@link PublisherSettings#shutdownTimeout()} to be
 * acknowledged, persists the acknowledged position and closes the producer; the caller closes the buffer
 * afterwards. The whole path is bounded by shutdownTimeout plus the producer's (clamped) max.block.ms.
 */
public final class KafkaPublisher implements AutoCloseable {
    /** Record header carrying the event's seq, 8 bytes big-endian. */
    public static final String SEQ_HEADER = "finwatch.seq";

    /** What the publisher is doing, for health checks and alerts. */
    public enum State { NEW, RUNNING, RETRYING, BLOCKED, STOPPED }

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPublisher.class);

    private final EventBuffer buffer;
    private final PublisherSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final InFlightWindow window = new InFlightWindow();
    private final long maxInFlightBytes;
    /**
     * Longest idle wait. The appender calls {@link #wake()} after each poll's events and every acknowledgement
     * signals too, so this only bounds how late an append nobody announced is seen.
     */
    static final long IDLE_CEILING_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Wakeup idle = new Wakeup();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running;
    private volatile State state = State.NEW;
    private String lastRetryError;

    public KafkaPublisher(EventBuffer buffer, PublisherSettings settings) {
        this.buffer = buffer;
        this.settings = settings;
        var props = ProducerSettings.build(settings.bootstrapServers(), settings.producerOverrides());
        this.maxInFlightBytes = Long.parseLong(props.getProperty("buffer.memory")) / 2;
        this.producer = new KafkaProducer<>(props);
        this.thread = new Thread(this::run, "finwatch-kafka-publisher");
        this.thread.setDaemon(true);
    }

    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("publisher already " + state);
        }
        running = true;
        state = State.RUNNING;
        thread.start();
    }

    private void run() {
        Duration backoff = settings.retryBackoffMin();
        try (BufferReader reader = buffer.openReader(settings.readerName())) {
            while (running) {
                try {
                    if (persistAcknowledged() && (state == State.RETRYING || state == State.BLOCKED)) {
                        state = State.RUNNING;
                        backoff = settings.retryBackoffMin();
                    }
                    InFlightWindow.Failure failure = window.failure();
                    if (failure != null) {
                        if (window.outstanding() > 0) {
                            idle.await(IDLE_CEILING_NANOS);
                            continue;
                        }
                        Duration wait = endRound(failure, reader, backoff);
                        if (state == State.RETRYING) {
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
        headers.add(SEQ_HEADER, ByteBuffer.allocate(Long.BYTES).putLong(e.event().seq()).array());
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, e.appendedAtMillis(),
                e.event().key().getBytes(StandardCharsets.UTF_8), e.event().payload(), headers);
        try {
            producer.send(record, (metadata, exception) -> {
                if (exception == null) {
                    window.acknowledged(entry, settings.clock().millis());
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
        if (isRetriable(exception)) {
            retried.incrementAndGet();
        } else {
            failed.incrementAndGet();
        }
        window.failed(entry, exception);
    }

    /**
     * Retriable for us: Kafka's retriable errors, plus the idempotent producer's sequence errors, which a re-send
     * from the acknowledged position resolves (the producer bumps its epoch).
     */
    static boolean isRetriable(Exception e) {
        return e instanceof RetriableException || e.getCause() instanceof RetriableException
                || e instanceof OutOfOrderSequenceException || e instanceof UnknownProducerIdException;
    }

    /** Rewinds after a failed round; returns how long to wait before the next one. */
    private Duration endRound(InFlightWindow.Failure failure, BufferReader reader, Duration backoff) {
        persistAcknowledged();
        StoredEvent at = failure.event();
        String topic = settings.topics().get(at.event().kind());
        Duration wait;
        if (isRetriable(failure.cause())) {
            // One WARN per outage (or change of error), not one per round while Kafka stays away.
            boolean news = state != State.RETRYING || !failure.cause().toString().equals(lastRetryError);
            lastRetryError = failure.cause().toString();
            state = State.RETRYING;
            wait = backoff;
            if (news) {
                LOG.warn("Kafka send failed at buffer index {} (topic {}, seq {}): {}; re-sending from the last "
                        + "acknowledged position, backing off up to {} s", hex(at.index()), topic, at.event().seq(),
                        lastRetryError, settings.retryBackoffMax().toSeconds());
            } else {
                LOG.debug("Kafka still failing at buffer index {}: {}", hex(at.index()), lastRetryError);
            }
        } else {
            state = State.BLOCKED;
            wait = settings.blockedBackoff();
            LOG.error("Kafka refused buffer index {} (topic {}, seq {}) with a non-retriable error: {}. Publishing is "
                    + "blocked at this event (it is not skipped); retrying in {} s. Fix the cause (ACLs, "
                    + "credentials, topic config) to resume.", hex(at.index()), topic, at.event().seq(),
                    failure.cause().toString(), wait.toSeconds());
        }
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
            producer.close(settings.shutdownTimeout());
        } catch (RuntimeException e) {
            LOG.warn("closing Kafka producer: {}", e.toString());
        }
        persistAcknowledged();
        state = State.STOPPED;
    }

    /** Stops publishing; bounded by shutdownTimeout plus the producer's max.block.ms. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.NEW) {
                state = State.STOPPED;
                producer.close(Duration.ZERO);
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

    public State state() {
        return state;
    }

    /** Events Kafka acknowledged (contiguously) since start. */
    public long acknowledged() {
        return window.acknowledgedTotal();
    }

    /** Sends that failed with a retriable error and will be re-sent. */
    public long retried() {
        return retried.get();
    }

    /** Sends refused with a non-retriable error (publisher BLOCKED). */
    public long failed() {
        return failed.get();
    }

    /** Events appended to the buffer and not yet acknowledged by Kafka. */
    public long lagEvents() {
        return buffer.stats().depthEvents();
    }

    /** Age of the oldest unacknowledged send, or the append-to-ack time of the latest acknowledgement. */
    public long lagMillis() {
        return window.lagMillis(settings.clock().millis());
    }

    /** The producer, e.g. for Micrometer's {@code KafkaClientMetrics}. */
    public Producer<byte[], byte[]> producer() {
        return producer;
    }

    public Map<MetricName, ? extends Metric> producerMetrics() {
        return producer.metrics();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String hex(long index) {
        return "0x" + Long.toHexString(index);
    }
}
