package io.finwatch.streams.state;

import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.FinwatchSerdeException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A store value kept as its Avro record ({@code io.finwatch.schemas.state}) in finwatch's single-object encoding,
 * so a store or changelog written by one release is read by any later one: the record's fingerprint picks the
 * writer's schema from the schema store, and schema resolution fills fields added since. The processors keep
 * working with their own value type; a subclass maps it to and from the record.
 *
 * <p>Values without the single-object marker were written before the store values were Avro; a subclass that
 * still meets such values reads them in {@link #readEarlierForm}. A value is rewritten as Avro the next time it
 * changes.
 *
 * <p>Stateless, so one instance serves every task and stream thread.
 *
 * @param <T> the value type the processors use
 * @param <R> its Avro record
 */
public abstract class StoreValueSerde<T, R extends SpecificRecord> implements Serde<T> {

    private final Class<T> type;
    private final Class<R> record;
    private final FinwatchSerde serde = FinwatchSerde.shared();

    protected StoreValueSerde(Class<T> type, Class<R> record) {
        this.type = type;
        this.record = record;
    }

    /** The record of a non-null value. */
    protected abstract R toRecord(T value);

    /** The value of a decoded record. */
    protected abstract T fromRecord(R stored);

    /**
     * A value in a form written before the store values were Avro (the bytes lack the single-object marker).
     *
     * @throws IllegalArgumentException when the bytes are no form this store ever held
     */
    protected T readEarlierForm(byte[] bytes) {
        throw new IllegalArgumentException(String.format("starts with 0x%02x, not the Avro single-object marker", bytes[0]));
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> value == null ? null : serde.encode(toRecord(value));
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                if (FinwatchSerde.hasMarker(bytes)) {
                    return fromRecord(serde.decode(bytes, record));
                }
                if (bytes.length == 0) {
                    throw new IllegalArgumentException("is empty");
                }
                return readEarlierForm(bytes);
            } catch (FinwatchSerdeException | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw new SerializationException("a stored " + type.getSimpleName() + " in " + topic + " (" + bytes.length + " bytes): "
                        + e.getMessage(), e);
            }
        };
    }
}
