package io.finwatch.streams.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The Kafka Streams configuration of the detector, from four layers, later ones winning:
 * <ol>
 * <li>finwatch's defaults ({@link #defaults()});
 * <li>the {@code --streams-config} properties file: any Streams, consumer ({@code consumer.}), producer
 *     ({@code producer.}), admin ({@code admin.}) or store property;
 * <li>environment variables {@code KAFKA_STREAMS_<NAME>}: the property name upper-cased with dots as
 *     underscores, e.g. {@code KAFKA_STREAMS_NUM_STREAM_THREADS=2} sets {@code num.stream.threads} and
 *     {@code KAFKA_STREAMS_CONSUMER_MAX_POLL_RECORDS=5000} sets {@code consumer.max.poll.records};
 * <li>the properties finwatch's own options own: {@code bootstrap.servers}, {@code application.id},
 *     {@code state.dir}, {@code application.server}, and {@code processing.guarantee}, always
 *     {@code exactly_once_v2}. Setting one of these in a lower layer to something else is an error, not a
 *     silent override.
 * </ol>
 */
public final class KafkaStreamsProperties {

    public static final String ENV_PREFIX = "KAFKA_STREAMS_";

    private static final String TRANSACTION_TIMEOUT = StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG);
    private static final long DEFAULT_TRANSACTION_TIMEOUT_MS = 10_000;
    /** How many commit intervals a transaction may last before the broker aborts it. */
    private static final int TRANSACTION_TIMEOUT_INTERVALS = 3;

    private KafkaStreamsProperties() {
    }

    /** What finwatch sets unless told otherwise. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        // Two stream threads: under exactly-once each thread waits at every commit (100 ms) until the broker has
        // every batch of its transaction, about a third of its time; a second thread processes its own tasks
        // meanwhile: 1.05-1.3x the transitions per second of one thread on two cores with the broker in the same
        // JVM, a third thread no more (docs/benchmarks.md, session 11). More cores: more threads, or more instances.
        d.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
        // Hot keys (dedup marks, open counts, host summaries) change on almost every record: a bigger record
        // cache folds those writes before they reach RocksDB and the changelog.
        d.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(64L << 20));
        d.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDb.class.getName());
        // Every record the detector writes (changelogs, the pairing repartition topic, anomalies) is a few dozen
        // bytes of keys that repeat host names and addresses: lz4 batches take a quarter of the bytes the broker
        // appends, replicates and keeps (92 -> 24 per transition) and half the produce requests, for less producer
        // and broker CPU than they save (docs/benchmarks.md, session 14). lz4 rather than the collector's zstd:
        // the stream thread compresses on its hot path, and lz4 is the cheaper of the two to compress.
        d.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        d.put(BoundedRocksDb.MEMORY_BYTES_CONFIG, Long.toString(BoundedRocksDb.DEFAULT_MEMORY_BYTES));
        // How long an instance that died mid-transaction can hold back read_committed readers of its output and
        // changelogs (the restarted instance's own restore among them) when its successor does not take over its
        // transactional id: one that restarts on the same state directory does (the id comes from the process id
        // kept there) and fences the open transaction at once; one on a new directory waits this long plus the
        // broker's abort check (transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s by default).
        // Transactions here last one commit interval (100 ms); 10 s is Kafka Streams' own default, stated so
        // that the bound is ours, not an accident of a library version. It depends on the commit interval, so
        // assemble sets it once the layers are merged (fitTransactionTimeout).
        // Task idling off. Collectors send each heartbeat in their host's transitions partition, after the transitions
        // of the poll it closes, so nothing waits across topics for it; with idling allowed, Kafka Streams 4.2+ formats
        // a log line for every empty input partition on every record (KAFKA-19682), an eighth of the stream threads'
        // CPU (docs/benchmarks.md, session 22). Heartbeats of collectors of earlier releases, on the heartbeats topic,
        // are ordered by HeartbeatGate alone; a fleet that keeps such collectors through a catch-up sets it back to 0.
        d.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, Long.toString(StreamsConfig.MAX_TASK_IDLE_MS_DISABLED));
        return d;
    }

    /** The environment layer: every {@code KAFKA_STREAMS_*} variable as a property. */
    public static Map<String, String> fromEnvironment(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((name, value) -> {
            if (name.startsWith(ENV_PREFIX) && name.length() > ENV_PREFIX.length()) {
                out.put(name.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return out;
    }

    public static Map<String, String> fromFile(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, String> out = new TreeMap<>();
        p.stringPropertyNames().forEach(n -> out.put(n, p.getProperty(n).trim()));
        return out;
    }

    /**
     * Merges the layers.
     *
     * @param fromFile properties from the --streams-config file (empty for none)
     * @param fileName names the file in errors
     * @param fromEnv  the KAFKA_STREAMS_* layer
     * @param owned    the values of finwatch's own options, by property name (null values are left out)
     * @throws IllegalArgumentException when a lower layer sets an owned property to another value
     */
    public static Properties assemble(Map<String, String> fromFile, String fileName, Map<String, String> fromEnv,
                                      Map<String, String> owned) {
        Map<String, String> merged = new LinkedHashMap<>(defaults());
        check(fromFile, "file " + fileName, owned);
        check(fromEnv, "environment (" + ENV_PREFIX + "*)", owned);
        merged.putAll(fromFile);
        merged.putAll(fromEnv);
        owned.forEach((k, v) -> {
            if (v != null) {
                merged.put(k, v);
            }
        });
        merged.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        fitTransactionTimeout(merged, fromFile.containsKey(TRANSACTION_TIMEOUT) ? "file " + fileName
                : fromEnv.containsKey(TRANSACTION_TIMEOUT) ? "environment (" + ENV_PREFIX + "*)" : null);
        // Checked here, where a bad value can still be a clear start-up error, not a failure at the first store.
        BoundedRocksDb.memoryBytes(Map.copyOf(merged));
        Properties p = new Properties();
        p.putAll(merged);
        return p;
    }

    /**
     * A transaction stays open from the first write after a commit to the next commit, so it lasts up to a commit
     * interval, and longer on a busy machine. Kafka Streams refuses a transaction timeout below the interval but takes
     * one equal to it: with {@code local}'s 10 s commits and the 10 s default, a loaded machine had the broker abort
     * the open transaction and fence the stream thread (InvalidProducerEpochException, then a rebalance). Unless a
     * layer sets the timeout, it is three commit intervals, and never below the default; one that is set must exceed
     * the interval.
     */
    private static void fitTransactionTimeout(Map<String, String> merged, String setBy) {
        long commitMs;
        long timeoutMs;
        try {
            // 100 ms: Kafka Streams' commit interval under exactly-once when none is set.
            commitMs = Long.parseLong(merged.getOrDefault(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100").trim());
            timeoutMs = setBy == null ? Math.max(DEFAULT_TRANSACTION_TIMEOUT_MS, TRANSACTION_TIMEOUT_INTERVALS * commitMs)
                    : Long.parseLong(merged.get(TRANSACTION_TIMEOUT).trim());
        } catch (NumberFormatException notANumber) {
            merged.putIfAbsent(TRANSACTION_TIMEOUT, Long.toString(DEFAULT_TRANSACTION_TIMEOUT_MS));
            return; // Kafka's own validation names the property.
        }
        if (setBy == null) {
            merged.put(TRANSACTION_TIMEOUT, Long.toString(timeoutMs));
        } else if (timeoutMs <= commitMs) {
            throw new IllegalArgumentException(setBy + " sets " + TRANSACTION_TIMEOUT + "=" + timeoutMs + ", not above "
                    + StreamsConfig.COMMIT_INTERVAL_MS_CONFIG + "=" + commitMs + ": a transaction lasts up to a commit interval, and the"
                    + " broker would abort it; leave it unset (it is then " + TRANSACTION_TIMEOUT_INTERVALS + " commit intervals) or raise it");
        }
    }

    private static void check(Map<String, String> layer, String source, Map<String, String> owned) {
        String guarantee = layer.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG);
        if (guarantee != null && !guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
            throw new IllegalArgumentException(source + " sets " + StreamsConfig.PROCESSING_GUARANTEE_CONFIG + "=" + guarantee
                    + ": the detector always runs " + StreamsConfig.EXACTLY_ONCE_V2 + " (each anomaly once, aggregates exact)");
        }
        owned.forEach((k, v) -> {
            String other = layer.get(k);
            if (other != null && v != null && !other.equals(v)) {
                throw new IllegalArgumentException(source + " sets " + k + "=" + other + " but finwatch's option says " + v
                        + ": set it with the option (or its FINWATCH_* variable) only");
            }
        });
    }

    /** The properties for the start-up log, with anything that looks like a credential masked. */
    public static Map<String, String> forLog(Properties p) {
        Map<String, String> out = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            String n = name.toLowerCase(Locale.ROOT);
            boolean secret = n.contains("password") || n.contains("secret") || n.contains("jaas") || n.contains("token");
            out.put(name, secret ? "****" : p.getProperty(name));
        }
        return out;
    }
}
