package io.finwatch.streams.topology;

import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.decode.DecodeProcessor;
import io.finwatch.streams.dedup.DedupProcessor;
import io.finwatch.streams.dedup.SeqMarkSerde;
import io.finwatch.streams.detect.ConnectionStateSerde;
import io.finwatch.streams.detect.DetectorProcessor;
import io.finwatch.streams.detect.HostSummarySerde;
import io.finwatch.streams.detect.OpenCountsSerde;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.serde.AnomalySerde;
import io.finwatch.streams.state.BeforeCommitStoreBuilder;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The detector as a Kafka Streams topology, independent of how it is run:
 *
 * <pre>
 * transitions ─┐
 *              ├─ decode ─┬─ dedup ─ detect ─ anomalies
 * heartbeats ──┘          └─ dlq
 * </pre>
 *
 * Both input topics feed one sub-topology, so a task holds partition N of each: with equal partition
 * counts and the host as key, every event of a host meets the same stores.
 */
public final class FinwatchTopology {

    public static final String TRANSITIONS_SOURCE = "transitions-source";
    public static final String HEARTBEATS_SOURCE = "heartbeats-source";
    public static final String DECODE = "decode";
    public static final String DEDUP = "dedup";
    public static final String DETECT = "detect";
    public static final String ANOMALIES_SINK = "anomalies-sink";
    public static final String DLQ_SINK = "dlq-sink";

    private FinwatchTopology() {
    }

    public static Topology buildTopology(StreamsSettings config, DetectorMetrics metrics) {
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        Topology t = new Topology();
        t.addSource(TRANSITIONS_SOURCE, bytesIn, bytesIn, config.transitionsTopic());
        t.addSource(HEARTBEATS_SOURCE, bytesIn, bytesIn, config.heartbeatsTopic());
        t.addProcessor(DECODE, () -> new DecodeProcessor(config, metrics, DEDUP, DLQ_SINK), TRANSITIONS_SOURCE, HEARTBEATS_SOURCE);
        t.addSink(DLQ_SINK, config.dlqTopic(), bytesOut, bytesOut, DECODE);
        t.addProcessor(DEDUP, () -> new DedupProcessor(config, metrics), DECODE);
        t.addProcessor(DETECT, () -> new DetectorProcessor(config, metrics), DEDUP);
        t.addSink(ANOMALIES_SINK, config.anomaliesTopic(), new StringSerializer(), new AnomalySerde().serializer(), DETECT);

        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.DEDUP, Serdes.String(), new SeqMarkSerde()), DEDUP);
        t.addStateStore(keyValue(StoreNames.CONNECTIONS, new ConnectionStateSerde()), DETECT);
        t.addStateStore(keyValue(StoreNames.OPEN_FIN_WAIT2, new OpenCountsSerde()), DETECT);
        t.addStateStore(keyValue(StoreNames.HOSTS, new HostSummarySerde()), DETECT);
        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.DWELL_PENDING, Serdes.String(), Serdes.ByteArray()), DETECT);
        t.addStateStore(keyValue(StoreNames.DWELL_ALL_TIME, Serdes.ByteArray()), DETECT);
        t.addStateStore(window(StoreNames.DWELL_1M, StoreNames.DWELL_1M_WINDOW_MS, StoreNames.DWELL_1M_RETENTION_MS), DETECT);
        t.addStateStore(window(StoreNames.DWELL_1H, StoreNames.DWELL_1H_WINDOW_MS, StoreNames.DWELL_1H_RETENTION_MS), DETECT);
        t.addStateStore(keyValue(StoreNames.RECENT_ANOMALIES, Serdes.ByteArray()), DETECT);
        return t;
    }

    private static <V> StoreBuilder<?> keyValue(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withCachingEnabled();
    }

    private static StoreBuilder<?> window(String name, long windowMs, long retentionMs) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, Duration.ofMillis(retentionMs), Duration.ofMillis(windowMs), false),
                Serdes.String(), Serdes.ByteArray()).withCachingEnabled();
    }
}
