package io.finwatch.streams.state;

import io.finwatch.schemas.serde.FinwatchSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A finwatch record as itself, single-object encoded: for values that have no form from before the records (the
 * pairing path's topics and stores). Stateless, shared by every task.
 */
public final class RecordSerde<R extends SpecificRecord> implements Serde<R> {

    private static final Logger LOG = LoggerFactory.getLogger(RecordSerde.class);

    private final Class<R> type;
    private final java.util.concurrent.atomic.AtomicLong undecodable = new java.util.concurrent.atomic.AtomicLong();
    private final FinwatchSerde serde = FinwatchSerde.shared();

    public RecordSerde(Class<R> type) {
        this.type = type;
    }

    @Override
    public Serializer<R> serializer() {
        return (topic, value) -> value == null ? null : serde.encode(value);
    }

    @Override
    public Deserializer<R> deserializer() {
        return (topic, bytes) -> bytes == null ? null : serde.decode(bytes, type);
    }

    /**
     * For a topic only the detector writes: a value that does not decode (damage, a foreign writer) is null, which the
     * processors skip, with one line per thousand naming the topic, instead of a stream thread that fails on it again
     * at every restart.
     */
    public Deserializer<R> lenientDeserializer() {
        Deserializer<R> strict = deserializer();
        return (topic, bytes) -> {
            try {
                return strict.deserialize(topic, bytes);
            } catch (RuntimeException e) {
                long n = undecodable.incrementAndGet();
                if (n % 1000 == 1) {
                    LOG.warn("topic {}: {} value(s) that are not a {} skipped so far ({})", topic, n, type.getSimpleName(), e.toString());
                }
                return null;
            }
        };
    }
}
