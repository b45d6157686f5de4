package io.finwatch.streams.testkit;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.serde.AnomalySerde;
import io.finwatch.streams.topology.FinwatchTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.apache.kafka.streams.state.internals.InMemoryKeyValueStore;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.processor.StateStoreContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/**
 * The detector topology in a {@link TopologyTestDriver}, with exactly-once on as in production, fed
 * encoded events and read back as anomalies. The driver's wall clock starts at the given instant and moves
 * only by {@link #advance(Duration)}, which also runs the wall-clock punctuators.
 */
public final class DetectorHarness implements AutoCloseable {

    private final TopologyTestDriver driver;
    private final StreamsSettings settings;
    private final DetectorMetrics metrics;
    private final TestInputTopic<String, byte[]> transitions;
    private final TestInputTopic<String, byte[]> heartbeats;
    private final TestOutputTopic<String, FinWait2Anomaly> anomalies;
    private final TestOutputTopic<byte[], byte[]> dlq;
    private Instant wallClock;
    private final Path stateDir;

    public DetectorHarness(StreamsSettings settings, Path stateDir, Instant wallClock) {
        this(settings, stateDir, wallClock, StreamsConfig.EXACTLY_ONCE_V2);
    }

    /**
     * With another processing guarantee. The driver cannot restore a changelog, and under exactly-once a
     * task that finds no checkpoint wipes its stores to restore them from the changelog; a test that reopens
     * a state directory therefore runs at-least-once, which keeps the store files as they are.
     */
    public DetectorHarness(StreamsSettings settings, Path stateDir, Instant wallClock, String processingGuarantee) {
        this(settings, stateDir, wallClock, processingGuarantee, java.util.Map.of());
    }

    /** With Kafka Streams settings of the test's own on top (a commit interval, say). */
    public DetectorHarness(StreamsSettings settings, Path stateDir, Instant wallClock, String processingGuarantee,
                           java.util.Map<String, Object> streamsConfig) {
        this.settings = settings;
        this.wallClock = wallClock;
        this.metrics = new DetectorMetrics(new SimpleMeterRegistry());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "finwatch-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, processingGuarantee);
        props.putAll(streamsConfig);
        this.stateDir = stateDir;
        this.driver = new TopologyTestDriver(FinwatchTopology.buildTopology(settings, metrics, this::restoredInMemory), props, wallClock);
        StringSerializer keys = new StringSerializer();
        ByteArraySerializer values = new ByteArraySerializer();
        this.transitions = driver.createInputTopic(settings.transitionsTopic(), keys, values);
        this.heartbeats = driver.createInputTopic(settings.heartbeatsTopic(), keys, values);
        this.anomalies = driver.createOutputTopic(settings.anomaliesTopic(), new StringDeserializer(), new AnomalySerde().deserializer());
        this.dlq = driver.createOutputTopic(settings.dlqTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public DetectorMetrics metrics() {
        return metrics;
    }

    public Path stateDirectory() {
        return stateDir;
    }

    public StreamsSettings settings() {
        return settings;
    }

    public Instant wallClock() {
        return wallClock;
    }

    /**
     * Encodes and pipes a transition or heartbeat to the transitions topic, keyed by host, as the collector sends
     * both; {@link #sendOnHeartbeatsTopic} sends a heartbeat as collectors of earlier releases did.
     */
    public DetectorHarness send(SpecificRecord event) {
        return sendAppendedAt(event, wallClock);
    }

    /** As {@link #send}, with {@code appendedAt} (when the collector buffered it) as the record's timestamp. */
    public DetectorHarness sendAppendedAt(SpecificRecord event, Instant appendedAt) {
        String host = event instanceof SocketTransition t ? t.getHost() : ((CollectorHeartbeat) event).getHost();
        transitions.pipeInput(host, FinwatchSerde.shared().encode(event), appendedAt);
        return this;
    }

    /** A heartbeat on the heartbeats topic, where collectors of earlier releases send them. */
    public DetectorHarness sendOnHeartbeatsTopic(CollectorHeartbeat heartbeat) {
        heartbeats.pipeInput(heartbeat.getHost(), FinwatchSerde.shared().encode(heartbeat), wallClock);
        return this;
    }

    public DetectorHarness sendAll(List<? extends SpecificRecord> events) {
        events.forEach(this::send);
        return this;
    }

    public void sendRawTransition(String key, byte[] value) {
        transitions.pipeInput(key, value, wallClock);
    }

    public void sendRawHeartbeat(String key, byte[] value) {
        heartbeats.pipeInput(key, value, wallClock);
    }

    /** Moves the wall clock, running due punctuations. */
    public DetectorHarness advance(Duration d) {
        driver.advanceWallClockTime(d);
        wallClock = wallClock.plus(d);
        return this;
    }

    /** Anomalies emitted since the last call. */
    public List<FinWait2Anomaly> anomalies() {
        return anomalies.readValuesToList();
    }

    public List<TestRecord<byte[], byte[]>> deadLetters() {
        return dlq.readRecordsToList();
    }

    public <K, V> KeyValueStore<K, V> keyValueStore(String name) {
        return driver.getKeyValueStore(name);
    }

    public <S extends StateStore> S stateStore(String name) {
        @SuppressWarnings("unchecked")
        S store = (S) driver.getStateStore(name);
        return store;
    }

    public <K, V> WindowStore<K, V> windowStore(String name) {
        return driver.getWindowStore(name);
    }

    /**
     * Ends this instance the way a crash after its last commit does: stores flushed and closed, so their
     * files are what a restarted instance finds, but without the driver's clean shutdown, which would
     * delete the state directory.
     */
    public void crashAfterCommit() {
        for (StateStore store : driver.getAllStateStores().values()) {
            store.flush();
            if (!store.persistent()) {
                keepChangelog(store);
            }
            store.close();
        }
    }

    /*
     * In-memory stores live on in their changelog on the broker, and a restarted task restores them from it. The
     * driver has no broker and restores nothing, so the harness plays the broker's part: at a crash it keeps what the
     * compacted changelog of each in-memory store holds (its committed entries, the store's content after the flush) in
     * the state directory, and a harness opening that directory puts them back into each store as it is opened, before any
     * processor starts and below the logging layer, as Kafka Streams' restore does.
     */
    private void keepChangelog(StateStore store) {
        KeyValueStore<Bytes, byte[]> bytes = innermost(store);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(changelogFile(store.name())));
             KeyValueIterator<Bytes, byte[]> it = bytes.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                out.writeInt(e.key.get().length);
                out.write(e.key.get());
                out.writeInt(e.value.length);
                out.write(e.value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KeyValueBytesStoreSupplier restoredInMemory(String name) {
        Path file = changelogFile(name);
        return new KeyValueBytesStoreSupplier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public KeyValueStore<Bytes, byte[]> get() {
                return new InMemoryKeyValueStore(name) {
                    @Override
                    public void init(StateStoreContext context, StateStore root) {
                        super.init(context, root);
                        if (Files.exists(file)) {
                            restore(this, file);
                        }
                    }
                };
            }

            @Override
            public String metricsScope() {
                return "in-memory";
            }
        };
    }

    private static void restore(KeyValueStore<Bytes, byte[]> store, Path file) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
            while (in.available() > 0) {
                byte[] key = in.readNBytes(in.readInt());
                byte[] value = in.readNBytes(in.readInt());
                store.put(Bytes.wrap(key), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path changelogFile(String store) {
        return stateDir.resolve(store + ".changelog");
    }

    @SuppressWarnings("unchecked")
    private static KeyValueStore<Bytes, byte[]> innermost(StateStore store) {
        StateStore s = store;
        while (s instanceof WrappedStateStore<?, ?, ?> w) {
            s = w.wrapped();
        }
        return (KeyValueStore<Bytes, byte[]>) s;
    }

    /**
     * Runs the wall clock for {@code d} a second at a time with the collector's heartbeat at each second, as a
     * live collector would; returns the anomalies emitted meanwhile.
     */
    public List<FinWait2Anomaly> liveFor(CollectorRun run, Duration d) {
        List<FinWait2Anomaly> out = new java.util.ArrayList<>();
        Instant end = wallClock().plus(d);
        while (wallClock().isBefore(end)) {
            send(run.at(wallClock()).heartbeat());
            advance(Duration.ofSeconds(1));
            out.addAll(anomalies());
        }
        run.at(wallClock());
        return out;
    }

    /** The driver itself, for the pairing path's topics. */
    public TopologyTestDriver driver() {
        return driver;
    }

    @Override
    public void close() {
        driver.close();
    }
}
