package io.finwatch.streams.decode;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.FinwatchSerdeException;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.state.StoreKeys;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns input bytes into events. Decoding here rather than in a deserializer keeps the record's origin at
 * hand: whatever cannot be decoded (not a finwatch record, a schema this build does not know, the wrong
 * record type for the topic, a corrupt body, an unusable host) goes to the dead-letter topic with the
 * original bytes and headers naming topic, partition, offset and error, and is counted; processing goes on.
 */
public final class DecodeProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(DecodeProcessor.class);
    /** At most one log line per this many ms per task: a topic full of garbage must not flood the log. */
    private static final long LOG_EVERY_MS = 10_000;

    private final StreamsSettings settings;
    private final DetectorMetrics metrics;
    private final String eventsChild;
    private final String deadLetterChild;
    private final FinwatchSerde serde = FinwatchSerde.shared();
    private ProcessorContext<Object, Object> context;
    private boolean loggedOnce;
    private long lastLogged;
    private long unlogged;

    public DecodeProcessor(StreamsSettings settings, DetectorMetrics metrics, String eventsChild, String deadLetterChild) {
        this.settings = settings;
        this.metrics = metrics;
        this.eventsChild = eventsChild;
        this.deadLetterChild = deadLetterChild;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata origin = context.recordMetadata().orElseThrow(
                () -> new IllegalStateException("decode runs on source records, which always have metadata"));
        try {
            SpecificRecord event = decode(origin.topic(), record.value());
            context.forward(new Record<Object, Object>(hostOf(event), event, record.timestamp()), eventsChild);
        } catch (FinwatchSerdeException | InvalidEventException e) {
            deadLetter(record, origin, e);
        }
    }

    private SpecificRecord decode(String topic, byte[] value) {
        if (value == null) {
            throw new InvalidEventException("null value (a tombstone): finwatch events are never deleted");
        }
        if (topic.equals(settings.transitionsTopic())) {
            // Collectors send heartbeats here too, each after the transitions of the poll it closes in the host's
            // partition, so the detector reads them in that order without waiting across topics; collectors of
            // earlier releases send them on the heartbeats topic.
            return serde.decodeEither(value, SocketTransition.class, CollectorHeartbeat.class);
        }
        if (topic.equals(settings.heartbeatsTopic())) {
            return serde.decode(value, CollectorHeartbeat.class);
        }
        throw new IllegalStateException("decode is wired to " + settings.transitionsTopic() + " and " + settings.heartbeatsTopic()
                + " only, got a record of " + topic);
    }

    private static String hostOf(SpecificRecord event) {
        String host = event instanceof SocketTransition t ? t.getHost() : ((CollectorHeartbeat) event).getHost();
        if (host.isEmpty()) {
            throw new InvalidEventException("empty host");
        }
        if (host.indexOf(StoreKeys.SEP) >= 0) {
            throw new InvalidEventException("host '" + host + "' contains '" + StoreKeys.SEP + "', the store key separator");
        }
        return host;
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata origin, Exception error) {
        metrics.deadLetter(origin.topic(), error.getClass().getSimpleName());
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(),
                DeadLetters.headers(record.headers(), origin.topic(), origin.partition(), origin.offset(), error)), deadLetterChild);
        long now = context.currentSystemTimeMs();
        if (!loggedOnce || now - lastLogged >= LOG_EVERY_MS) {
            loggedOnce = true;
            LOG.warn("{}-{} offset {}: {}; sent to {} ({} more since the last such message)", origin.topic(), origin.partition(),
                    origin.offset(), error.getMessage(), settings.dlqTopic(), unlogged);
            lastLogged = now;
            unlogged = 0;
        } else {
            unlogged++;
        }
    }
}
