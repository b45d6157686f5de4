package io.finwatch.streams.serde;

import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.serde.FinwatchSerde;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** FinWait2Anomaly in finwatch's single-object encoding, on the anomalies topic and in the recent-anomalies store. */
public final class AnomalySerde implements Serde<FinWait2Anomaly> {

    private final FinwatchSerde serde = FinwatchSerde.shared();

    @Override
    public Serializer<FinWait2Anomaly> serializer() {
        return (topic, anomaly) -> anomaly == null ? null : serde.encode(anomaly);
    }

    @Override
    public Deserializer<FinWait2Anomaly> deserializer() {
        return (topic, bytes) -> bytes == null ? null : serde.decode(bytes, FinWait2Anomaly.class);
    }
}
