package io.finwatch.collector.buffer;

import java.util.Objects;

/**
 * One event as the collector hands it to the buffer.
 *
 * @param kind    selects the Kafka topic
 * @param seq     the host's event sequence number; consumers find gaps with it
 * @param key     the Kafka record key: the host name, so one host's events stay in one partition, in order
 * @param payload the serialized event (Avro single-object encoding); stored and sent as is
 */
public record BufferedEvent(EventKind kind, long seq, String key, byte[] payload) {
    public BufferedEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
    }
}
