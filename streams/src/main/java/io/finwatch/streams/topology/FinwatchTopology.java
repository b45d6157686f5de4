package io.finwatch.streams.topology;

import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.directory.HostDirectoryProcessor;
import io.finwatch.streams.pair.PairKeysProcessor;
import io.finwatch.streams.pair.PairingProcessor;
import io.finwatch.streams.state.RecordSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
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
import org.apache.kafka.streams.processor.StreamPartitioner;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The detector as a Kafka Streams topology, independent of how it is run:
 *
 * <pre>
 * transitions ─┐                          ┌─ detect ─ anomalies
 *              ├─ decode ─┬─ dedup ───────┤      ^
 * heartbeats ──┘          └─ dlq          │      └──────────── pair-facts ─┐
 *                                         └─ pair-keys ─┬─ pairing ─ pair ─┘
 *                                                       └─ host-directory (to every partition) ─ directory ─┘
 * </pre>
 *
 * The detector also writes to the pairing topic: the GONE of each end a restarted collector lost (its socket went
 * while the collector was down, so no GONE of it was ever reported).
 *
 * Transitions, heartbeats and pair facts feed one sub-topology, so a task holds partition N of each: with equal
 * partition counts and the host as key, every event of a host meets the same stores. The pairing topic is keyed by
 * connection key, so its sub-topology's task N holds the ends of every host that share a key (docs/architecture.md).
 */
public final class FinwatchTopology {

    public static final String TRANSITIONS_SOURCE = "transitions-source";
    public static final String HEARTBEATS_SOURCE = "heartbeats-source";
    public static final String DECODE = "decode";
    public static final String DEDUP = "dedup";
    public static final String DETECT = "detect";
    public static final String ANOMALIES_SINK = "anomalies-sink";
    public static final String DLQ_SINK = "dlq-sink";
    public static final String PAIR_KEYS = "pair-keys";
    public static final String PAIRING_SINK = "pairing-sink";
    public static final String DIRECTORY_SINK = "host-directory-sink";
    public static final String PAIRING_SOURCE = "pairing-source";
    public static final String PAIR = "pair";
    public static final String PAIR_FACTS_SINK = "pair-facts-sink";
    public static final String PAIR_FACTS_SOURCE = "pair-facts-source";
    public static final String DIRECTORY_SOURCE = "host-directory-source";
    public static final String DIRECTORY = "host-directory";

    private FinwatchTopology() {
    }

    public static Topology buildTopology(StreamsSettings config, DetectorMetrics metrics) {
        return buildTopology(config, metrics, Stores::inMemoryKeyValueStore);
    }

    /**
     * With the suppliers of the in-memory stores given: Kafka Streams restores those from their changelogs, a test
     * driver restores nothing, so a test that restarts on the same state passes suppliers that do.
     */
    public static Topology buildTopology(StreamsSettings config, DetectorMetrics metrics,
                                         Function<String, KeyValueBytesStoreSupplier> inMemoryStores) {
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        Topology t = new Topology();
        t.addSource(TRANSITIONS_SOURCE, bytesIn, bytesIn, config.transitionsTopic());
        t.addSource(HEARTBEATS_SOURCE, bytesIn, bytesIn, config.heartbeatsTopic());
        t.addProcessor(DECODE, () -> new DecodeProcessor(config, metrics, DEDUP, DLQ_SINK), TRANSITIONS_SOURCE, HEARTBEATS_SOURCE);
        t.addSink(DLQ_SINK, config.dlqTopic(), bytesOut, bytesOut, DECODE);
        t.addProcessor(DEDUP, () -> new DedupProcessor(config, metrics), DECODE);
        RecordSerde<PairFact> facts = new RecordSerde<>(PairFact.class);
        RecordSerde<PairingEnd> pairingEnds = new RecordSerde<>(PairingEnd.class);
        t.addSource(PAIR_FACTS_SOURCE, new StringDeserializer(), facts.lenientDeserializer(), config.pairFactsTopic());
        t.addProcessor(DETECT, () -> new DetectorProcessor(config, metrics, ANOMALIES_SINK, PAIRING_SINK), DEDUP, PAIR_FACTS_SOURCE);
        t.addSink(ANOMALIES_SINK, config.anomaliesTopic(), new StringSerializer(), new AnomalySerde().serializer(), DETECT);

        t.addProcessor(PAIR_KEYS, () -> new PairKeysProcessor(PAIRING_SINK, DIRECTORY_SINK), DEDUP);
        // The detector adds the GONE ends of episodes a restarted collector did not re-report.
        t.addSink(PAIRING_SINK, config.pairingTopic(), new StringSerializer(), records(), PAIR_KEYS, DETECT);
        // To every partition: each detector task keeps the whole directory in its own store.
        t.addSink(DIRECTORY_SINK, config.hostDirectoryTopic(), new StringSerializer(), records(), everyPartition(), PAIR_KEYS);
        t.addSource(PAIRING_SOURCE, new StringDeserializer(), pairingEnds.lenientDeserializer(), config.pairingTopic());
        t.addProcessor(PAIR, PairingProcessor::new, PAIRING_SOURCE);
        t.addSink(PAIR_FACTS_SINK, config.pairFactsTopic(), new StringSerializer(), facts.serializer(), PAIR);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.PAIR_ENDS, pairingEnds), PAIR);
        t.addSource(DIRECTORY_SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), config.hostDirectoryTopic());
        t.addProcessor(DIRECTORY, HostDirectoryProcessor::new, DIRECTORY_SOURCE);

        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.DEDUP, Serdes.String(), new SeqMarkSerde()), DEDUP);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.CONNECTIONS, new ConnectionStateSerde()), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.OPEN_FIN_WAIT2, new OpenCountsSerde()), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.OPEN_FIN_WAIT2_HOSTS, new OpenCountsSerde()), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.OPEN_FIN_WAIT2_WORKLOADS, new OpenCountsSerde()), DETECT);
        t.addStateStore(keyValue(StoreNames.HOSTS, new HostSummarySerde()), DETECT);
        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.DWELL_PENDING, Serdes.String(), Serdes.ByteArray()), DETECT);
        t.addStateStore(uncached(StoreNames.DWELL_ALL_TIME, Serdes.ByteArray()), DETECT);
        t.addStateStore(window(StoreNames.DWELL_1M, StoreNames.DWELL_1M_WINDOW_MS, StoreNames.DWELL_1M_RETENTION_MS), DETECT);
        t.addStateStore(window(StoreNames.DWELL_1H, StoreNames.DWELL_1H_WINDOW_MS, StoreNames.DWELL_1H_RETENTION_MS), DETECT);
        t.addStateStore(keyValue(StoreNames.RECENT_ANOMALIES, Serdes.ByteArray()), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.OPEN_CLOSE_WAIT, new OpenCountsSerde()), DETECT);
        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.CLOSE_WAIT_DWELL_PENDING, Serdes.String(), Serdes.ByteArray()), DETECT);
        t.addStateStore(uncached(StoreNames.CLOSE_WAIT_DWELL_ALL_TIME, Serdes.ByteArray()), DETECT);
        t.addStateStore(window(StoreNames.CLOSE_WAIT_DWELL_1M, StoreNames.DWELL_1M_WINDOW_MS, StoreNames.DWELL_1M_RETENTION_MS), DETECT);
        t.addStateStore(window(StoreNames.CLOSE_WAIT_DWELL_1H, StoreNames.DWELL_1H_WINDOW_MS, StoreNames.DWELL_1H_RETENTION_MS), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.PEERS, new RecordSerde<>(PairFact.class)), DETECT);
        t.addStateStore(inMemory(inMemoryStores, StoreNames.HOST_DIRECTORY, Serdes.ByteArray()), DIRECTORY, DETECT);
        t.addStateStore(new BeforeCommitStoreBuilder<>(StoreNames.HELD_HEARTBEATS, Serdes.String(), Serdes.ByteArray()), DEDUP);
        return t;
    }

    private static <V> StoreBuilder<?> keyValue(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withCachingEnabled();
    }

    /**
     * A store of what is open now (sockets in a closing state, their peers, the pairing ends, the open counts, the host
     * directory): in memory, durable through its changelog like the others, and rebuilt from it when a task starts. Its
     * entries are written and deleted at the rate sockets close, which in RocksDB meant memtable flushes and compactions
     * out of proportion to its size, and a read of the old value for every delete through the record cache; it holds
     * only the currently open ones, so it stays small where the history stores grow.
     */
    private static <V> StoreBuilder<?> inMemory(Function<String, KeyValueBytesStoreSupplier> suppliers, String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(suppliers.apply(name), Serdes.String(), values).withCachingEnabled();
    }

    /** Any finwatch record, single-object encoded (the pairing path's values are records of several types). */
    private static Serializer<SpecificRecord> records() {
        FinwatchSerde serde = FinwatchSerde.shared();
        return (topic, value) -> value == null ? null : serde.encode(value);
    }

    private static StreamPartitioner<String, SpecificRecord> everyPartition() {
        return (topic, key, value, partitions) -> Optional.of(IntStream.range(0, partitions).boxed().collect(Collectors.toSet()));
    }

    /** A dwell window store: uncached, as {@link #uncached}. */
    private static StoreBuilder<?> window(String name, long windowMs, long retentionMs) {
        return Stores.windowStoreBuilder(
                Stores.persistentWindowStore(name, Duration.ofMillis(retentionMs), Duration.ofMillis(windowMs), false),
                Serdes.String(), Serdes.ByteArray()).withCachingDisabled();
    }

    /**
     * A dwell store: written by the fold, once per histogram every few seconds, so the record cache never merges two
     * writes of one key within a commit; it only added a copy and a flush to each. Queries read RocksDB either way.
     */
    private static <V> StoreBuilder<?> uncached(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values).withCachingDisabled();
    }
}
