package io.finwatch.streams.bench;

import io.finwatch.schemas.Topics;
import io.finwatch.testkit.EmbeddedKafka;
import io.finwatch.testkit.bench.Machine;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.config.BoundedRocksDb;
import io.finwatch.streams.config.FormatLocale;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.topology.FinwatchTopology;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Throughput and detection delay of the detector, exactly-once, against a local embedded Kafka.
 *
 * <ol>
 * <li>Writes a generated fleet's transitions and heartbeats ({@link FleetGenerator}) as a backlog.
 * <li>Anchor: reads the transitions topic with a plain consumer, as fast as it goes (the same data, the
 *     same broker, the same run).
 * <li>Runs the full topology with exactly_once_v2 over the backlog and times it from RUNNING until its
 *     committed offsets reach the end of both topics: transitions/s, and the ratio to the raw rate.
 * <li>Delay: with the detector caught up, new attached sockets enter FIN_WAIT2 with a 1 s fin timeout;
 *     for each, the time from its deadline (observed_at + fin timeout) until its STUCK is readable with
 *     read_committed.
 * </ol>
 *
 * <p>Run from the repository root (2 cores are shared with the broker; numbers move with other load):
 * <pre>
 * mvn -B -q -pl streams -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xmx3g -XX:+UseParallelGC -cp streams/target/test-classes:streams/target/classes:$(cat streams/target/bench.cp) \
 *     io.finwatch.streams.bench.StreamsThroughputBench [transitions=2000000] [hosts=500] [streamThreads=1] [partitions=6] [commitIntervalMs=100] [phases: noop,floor,floor-local,detector; warm first to measure a warmed-up JVM]
 * </pre>
 */
public final class StreamsThroughputBench {

    static final String TRANSITIONS = "bench.transitions";
    /**
     * Where the fleet's heartbeats go: on the transitions topic, as collectors send them since heartbeats travel in
     * their host's transitions partition; {@code -Dfinwatch.bench.separateHeartbeats=true} puts them on a topic of
     * their own, as collectors of earlier releases did.
     */
    static final boolean SEPARATE_HEARTBEATS = Boolean.getBoolean("finwatch.bench.separateHeartbeats");
    /** The heartbeats topic the detector reads beside the transitions topic (empty unless separateHeartbeats). */
    static final String HEARTBEATS = "bench.heartbeats";
    static final String FLEET_HEARTBEATS = SEPARATE_HEARTBEATS ? HEARTBEATS : TRANSITIONS;
    static final String ANOMALIES = "bench.anomalies";
    static final String DLQ = "bench.dlq";
    /** The phases the 6th argument may list, comma-separated, in the order they are to run. */
    static final List<String> PHASES = List.of("warm", "noop", "floor-local", "floor", "detector");

    public static void main(String[] args) throws Exception {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 2_000_000;
        int hosts = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int partitions = args.length > 3 ? Integer.parseInt(args[3]) : 6;
        String commitMs = args.length > 4 ? args[4] : "100";
        // "noop,detector" (the default) measures the floor and then the detector, pairing on, over the same backlog;
        // "floor" measures the least a detector of this design does, "floor-local" the same without the pairing hop
        // (DesignFloorTopology).
        List<String> modes = List.of((args.length > 5 ? args[5] : "noop,detector").split(","));
        for (String mode : modes) {
            if (!PHASES.contains(mode)) {
                System.err.printf("StreamsThroughputBench: phase '%s' (6th argument) is not one of %s%n", mode, PHASES);
                System.exit(2);
            }
        }
        // As StreamsApp does; -Dfinwatch.bench.hostLocale=true keeps the host's, to measure what pinning it saves.
        if (!Boolean.getBoolean("finwatch.bench.hostLocale")) {
            FormatLocale.pin();
        }
        System.out.println("this machine: " + Machine.describe());
        Path state = Files.createTempDirectory("finwatch-bench");
        try {
            run(count, hosts, threads, partitions, commitMs, modes, state);
        } finally {
            deleteTree(state);
        }
    }

    /**
     * Where the in-process broker keeps its logs ({@code -Dfinwatch.bench.brokerDir=DIR}; a memory file system by
     * default where there is one). The broker stands in for a cluster on machines of its own, yet here it shares the
     * instance's two cores: on ext4 its request handlers spent 2.6-3.1 us per transition against 1.3-1.6 on tmpfs, in
     * page-cache copies and block zeroing whose price the VM's host sets (docs/benchmarks.md, sessions 13 and 21).
     * The detector's own state stays on disk, in the temporary directory, as in production.
     */
    static final Path BROKER_DIR = Path.of(System.getProperty("finwatch.bench.brokerDir",
            Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir")));

    /** The run's state directory goes with it: RocksDB files of every run would pile up in /tmp. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void run(long count, int hosts, int threads, int partitions, String commitMs, List<String> modes, Path state)
            throws Exception {
        Path brokerDir = Files.createTempDirectory(BROKER_DIR, "finwatch-bench-broker");
        System.out.printf("the broker's logs: %s (%s)%n", brokerDir, Files.getFileStore(brokerDir).type());
        try (EmbeddedKafka kafka = EmbeddedKafka.startIn(brokerDir)) {
            kafka.createTopics(partitions, TRANSITIONS, HEARTBEATS, Topics.PAIRING, Topics.PAIR_FACTS,
                    Topics.HOST_DIRECTORY);
            kafka.createTopics(1, ANOMALIES, DLQ);

            FleetGenerator fleet = new FleetGenerator(hosts, Instant.now().minusSeconds(3600), TRANSITIONS, FLEET_HEARTBEATS, 7);
            long w0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
                fleet.generate(count, producer::send);
                producer.flush();
            }
            System.out.printf("backlog: %,d transitions + %,d heartbeats from %d hosts (%,d FIN_WAIT2 episodes, %,d stuck) written in %.1f s%n",
                    fleet.transitionsWritten, fleet.heartbeatsWritten, hosts, fleet.episodes, fleet.stuck, seconds(w0));

            double raw = rawConsumeRate(kafka, fleet.transitionsWritten + (SEPARATE_HEARTBEATS ? 0 : fleet.heartbeatsWritten));
            System.out.printf("raw consume of %s: %,.0f records/s%n", TRANSITIONS, raw);

            for (String mode : modes) {
                if (mode.equals("warm")) {
                    warmUp(kafka, hosts, threads, partitions, commitMs, state.resolve(mode), WARM_UP_TRANSITIONS);
                } else {
                    measure(kafka, fleet, raw, mode, threads, partitions, commitMs, state.resolve(mode));
                }
            }
        }
    }

    /**
     * What the warm-up phase runs the detector over ({@code -Dfinwatch.bench.warmUp=N} to change it): enough for the
     * JIT to have compiled the detector's paths and the broker's. After 500k, a 2M window still held 15-27 s of
     * compiler time, more the busier the machine; after 4M, 5-7 s (docs/benchmarks.md, session 12). Each run prints
     * the compiler time inside its measured window, which says whether the warm-up was enough.
     */
    private static final long WARM_UP_TRANSITIONS = Long.getLong("finwatch.bench.warmUp", 4_000_000);

    /**
     * The "warm" phase: the whole detector over a backlog of its own (other topics, another application id), before
     * the measured phases, so they measure a running detector rather than a JVM still compiling it. A cold 1M-transition
     * run spends more CPU in the JIT's compiler threads (about 17 us per transition) than in its stream thread (15 us),
     * on the same two cores; a detector in production compiles once and runs for days.
     */
    private static void warmUp(EmbeddedKafka kafka, int hosts, int threads, int partitions, String commitMs, Path state, long count)
            throws Exception {
        String[] topics = {"warm.transitions", "warm.heartbeats", "warm.anomalies", "warm.dlq", "warm.pairing", "warm.pair-facts",
                "warm.host-directory"};
        kafka.createTopics(partitions, topics[0], topics[1], topics[4], topics[5], topics[6]);
        kafka.createTopics(1, topics[2], topics[3]);
        FleetGenerator fleet = new FleetGenerator(hosts, Instant.now().minusSeconds(7200), topics[0],
                SEPARATE_HEARTBEATS ? topics[1] : topics[0], 11);
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            fleet.generate(count, producer::send);
            producer.flush();
        }
        StreamsSettings settings = StreamsSettings.builder().topics(topics[0], topics[1], topics[2], topics[3])
                .pairingTopics(topics[4], topics[5], topics[6]).build();
        String appId = "finwatch-bench-warm";
        Properties props = KafkaStreamsProperties.assemble(Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs), "bench", Map.of(),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, appId,
                        StreamsConfig.STATE_DIR_CONFIG, state.toString()));
        long w0 = System.nanoTime();
        try (KafkaStreams streams = new KafkaStreams(FinwatchTopology.buildTopology(settings, new DetectorMetrics(new SimpleMeterRegistry())),
                props)) {
            streams.start();
            // What the broker holds, not what was sent: a send to a partition whose leader was not elected yet may
            // have been retried into a duplicate or dropped, and a warm-up must end either way.
            long end = endOffsets(kafka, topics[0]);
            while (kafka.committedOffsets(appId, topics[0]) < end) {
                Thread.sleep(100);
            }
        }
        System.out.printf("warm-up (not measured): the detector over %,d transitions of its own in %.1f s; load average after: %s%n",
                fleet.transitionsWritten, seconds(w0), loadAverage());
    }

    private static void measure(EmbeddedKafka kafka, FleetGenerator fleet, double raw, String mode, int threads, int partitions,
                                String commitMs, Path state) throws Exception {
        {
            boolean noop = mode.equals("noop");
            boolean floor = mode.equals("floor") || mode.equals("floor-local");
            boolean pairing = !mode.equals("floor-local");
            String appId = noop ? "finwatch-bench-noop" : floor ? "finwatch-bench-" + mode : "finwatch-bench";
            String name = noop ? "no-op topology" : floor ? "design floor" + (pairing ? "" : " without pairing") : "detector";
            System.out.printf("load average before %s: %s%n", name, loadAverage());
            System.out.println(freshMemoryCost());
            StreamsSettings settings = StreamsSettings.builder().topics(TRANSITIONS, HEARTBEATS, ANOMALIES, DLQ).build();
            Map<String, String> fromFile = new HashMap<>(Map.of(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(threads),
                    StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitMs));
            // -Dfinwatch.rocksdb.memory.bytes=N: the stores' RocksDB budget, as --streams-config would set it.
            String rocksDbBytes = System.getProperty(BoundedRocksDb.MEMORY_BYTES_CONFIG);
            if (rocksDbBytes != null) {
                fromFile.put(BoundedRocksDb.MEMORY_BYTES_CONFIG, rocksDbBytes);
            }
            // -Dfinwatch.bench.streams.NAME=VALUE: any Kafka Streams setting, as --streams-config would set it.
            System.getProperties().stringPropertyNames().stream().filter(n -> n.startsWith(STREAMS_SETTING))
                    .forEach(n -> fromFile.put(n.substring(STREAMS_SETTING.length()), System.getProperty(n)));
            Properties props = KafkaStreamsProperties.assemble(fromFile,
                    "bench", Map.of(), Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                            StreamsConfig.APPLICATION_ID_CONFIG, appId, StreamsConfig.STATE_DIR_CONFIG, state.toString()));
            DetectorMetrics metrics = new DetectorMetrics(new SimpleMeterRegistry());
            Topology topology = noop ? noopTopology() : floor ? DesignFloorTopology.build(TRANSITIONS, HEARTBEATS, partitions, pairing)
                    : FinwatchTopology.buildTopology(settings, metrics);
            KafkaStreams streams = new KafkaStreams(topology, props);
            AtomicBoolean running = new AtomicBoolean();
            streams.setStateListener((now, before) -> running.set(now == KafkaStreams.State.RUNNING));
            // The no-op is paused until every stream thread runs: its first thread drained the whole backlog in the
            // second the others took to start, which left the phase unmeasured. (A topology with state stores does
            // not reach RUNNING while paused, and the detector's backlog outlasts its threads' start.)
            if (noop) {
                streams.pause();
            }
            streams.start();
            while (!running.get()) {
                Thread.sleep(10);
            }
            long s0 = System.nanoTime();
            long cpu0 = streamThreadsCpuNanos();
            long jvmCpu0 = processCpuNanos();
            long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            Map<String, Long> threads0 = cpuTicksByThreadName();
            Map<String, Long> requests0 = brokerRequests();
            Map<String, Long> bytesIn0 = brokerBytesInByTopic();
            Map<String, Long> appends0 = brokerTopicCounts("TotalProduceRequestsPerSec");
            // Kafka Streams is RUNNING once every stream thread is; whatever was committed before is left out.
            // With heartbeats inline, the transitions topic's offsets count both; what was committed before is
            // taken as transitions in the topic's own proportion.
            long onTransitionsTopic = fleet.transitionsWritten + (SEPARATE_HEARTBEATS ? 0 : fleet.heartbeatsWritten);
            long committedBefore = kafka.committedOffsets(appId, TRANSITIONS);
            long before = Math.round((double) committedBefore * fleet.transitionsWritten / onTransitionsTopic);
            long total = fleet.transitionsWritten - before;
            if (total < fleet.transitionsWritten / 2) {
                System.out.printf("%s: not measured, %,d of %,d transitions were committed before Kafka Streams was RUNNING%n",
                        name, before, fleet.transitionsWritten);
                streams.close(Duration.ofSeconds(30));
                return;
            }
            streams.resume();
            while (kafka.committedOffsets(appId, TRANSITIONS) < onTransitionsTopic
                    || SEPARATE_HEARTBEATS && kafka.committedOffsets(appId, HEARTBEATS) < fleet.heartbeatsWritten) {
                Thread.sleep(100);
            }
            if (!noop && pairing) {
                // Done only once the pairing task has read everything the detector sent it (and so sent its facts).
                double detectSecs = seconds(s0);
                String pairingTopic = floor ? appId + "-" + DesignFloorTopology.PAIRING + "-repartition" : Topics.PAIRING;
                long pairingEnd = endOffsets(kafka, pairingTopic);
                while (kafka.committedOffsets(appId, pairingTopic) < pairingEnd) {
                    Thread.sleep(100);
                }
                System.out.printf("detector inputs committed after %.1f s; pairing topic (%,d records incl. markers) drained after %.1f s%n",
                        detectSecs, pairingEnd, seconds(s0));
            }
            double secs = seconds(s0);
            double cpu = (streamThreadsCpuNanos() - cpu0) / 1e9;
            double jvmCpu = (processCpuNanos() - jvmCpu0) / 1e9;
            double jit = (ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0) / 1e3;
            double rate = total / secs;
            System.out.printf(name + " (exactly_once_v2, %d stream thread(s), %d partitions, commit every %s ms): %,d transitions"
                    + " (+ %,d heartbeats) in %.1f s = %,.0f transitions/s, %.0f%% of the raw consume rate%n", threads, partitions, commitMs, total,
                    fleet.heartbeatsWritten, secs,
                    rate, 100 * rate / raw);
            System.out.printf("transitions committed before the measured window (Kafka Streams not yet RUNNING): %,d%n", before);
            System.out.printf("stream thread CPU: %.1f s of %.1f s wall (%.0f%%), %.1f us per transition%n", cpu, secs, 100 * cpu / secs,
                    cpu * 1e6 / total);
            System.out.printf("whole JVM CPU (broker, stream threads, producers, GC): %.1f s, %.1f us per transition%n", jvmCpu, jvmCpu * 1e6 / total);
            printThreadCpu(threads0, cpuTicksByThreadName(), total);
            printBrokerRequests(requests0, brokerRequests(), total);
            printClientBatching(streams);
            printBytesIn(bytesIn0, brokerBytesInByTopic(), total);
            Map<String, Long> appends = brokerTopicCounts("TotalProduceRequestsPerSec");
            System.out.printf("partition appends per 1,000 transitions (one per partition per produce request): %.1f%n",
                    appends.entrySet().stream().mapToLong(e -> e.getValue() - appends0.getOrDefault(e.getKey(), 0L)).sum() * 1e3 / total);
            // Compiler time inside the window: a JVM still compiling its paths, which a long-running one is not.
            System.out.printf("JIT compiler time in the window: %.1f s%n", jit);
            System.out.printf("load average after: %s%n", loadAverage());

            if (noop || floor) {
                streams.close(Duration.ofSeconds(30));
                return;
            }
            printChangelogWrites(kafka, fleet.transitionsWritten);
            // Heartbeats the dedup step let through after their longest wait, not after their transitions (HeartbeatGate).
            System.out.printf("heartbeats taken before their transitions: %.0f%n", metrics.counterValue("finwatch_streams_heartbeats_unordered_total"));
            List<Long> delays = stuckDelays(kafka, 200);
            Collections.sort(delays);
            System.out.printf("FIN_WAIT2 deadline -> STUCK readable (read_committed), %d sockets: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                    delays.size(), delays.get(delays.size() / 2), delays.get(delays.size() * 9 / 10), delays.get(delays.size() * 99 / 100),
                    delays.get(delays.size() - 1));
            streams.close(Duration.ofSeconds(30));
        }
    }

    static long endOffsets(EmbeddedKafka kafka, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get().values().stream().mapToLong(r -> r.offset()).sum();
        }
    }

    static String loadAverage() {
        try {
            return Files.readAllLines(Path.of("/proc/loadavg")).get(0);
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /**
     * The floor: both topics into a processor that drops everything, same exactly-once commits. What Kafka
     * Streams itself costs per record here, to tell it from the detector's own work.
     */
    private static final String STREAMS_SETTING = "finwatch.bench.streams.";

    static Topology noopTopology() {
        ByteArrayDeserializer bytes = new ByteArrayDeserializer();
        Topology t = new Topology();
        t.addSource("in", bytes, bytes, TRANSITIONS, HEARTBEATS);
        t.addProcessor("drop", Drop::new, "in");
        return t;
    }

    private static final class Drop implements Processor<byte[], byte[], Void, Void> {
        @Override
        public void process(org.apache.kafka.streams.processor.api.Record<byte[], byte[]> record) {
        }
    }

    /** Records each store's changelog took during the run: what the commits flushed, store by store. */
    static void printChangelogWrites(EmbeddedKafka kafka, long transitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (TopicDescription d : admin.describeTopics(admin.listTopics().names().get().stream()
                    .filter(n -> n.endsWith("-changelog")).toList()).allTopicNames().get().values()) {
                d.partitions().forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
            }
            Map<String, Long> byStore = new TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> byStore.merge(tp.topic(), info.offset(), Long::sum));
            StringBuilder line = new StringBuilder("changelog records (incl. transaction markers) per 100 transitions:");
            byStore.forEach((topic, n) -> line.append(String.format(" %s %.1f", topic.replace("finwatch-bench-finwatch-", "").replace("-changelog", ""),
                    100.0 * n / transitions)));
            System.out.println(line);
        }
    }

    /** CPU time of the stream threads so far: tells a CPU-bound detector from one waiting on the broker or for a core. */
    static long streamThreadsCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : mx.dumpAllThreads(false, false)) {
            if (info.getThreadName().contains("-StreamThread-")) {
                sum += Math.max(0, mx.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    /** CPU time of this JVM so far: the broker shares it, and with it the two cores. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU ticks (1/100 s) of every thread of this JVM, Java or native (RocksDB's flush and compaction threads),
     * summed by name with digits dropped, from /proc/self/task: where the CPU not spent by the stream threads goes.
     */
    static Map<String, Long> cpuTicksByThreadName() throws java.io.IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (java.io.IOException | RuntimeException gone) {
                    // The thread ended between the listing and the read.
                }
            }
        }
        return ticks;
    }

    static void printThreadCpu(Map<String, Long> before, Map<String, Long> after, long transitions) {
        System.out.println(topGrowth("CPU by thread (us per transition):", before, after, 12, " [%s] %.1f", 1e4 / transitions));
    }

    /**
     * {@code title}, then the {@code limit} keys that grew most from {@code before} to {@code after}, each with its
     * growth times {@code scale}, in {@code format} (key, value).
     */
    static String topGrowth(String title, Map<String, Long> before, Map<String, Long> after, int limit, String format, double scale) {
        StringBuilder line = new StringBuilder(title);
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> line.append(String.format(format, e.getKey(), e.getValue() * scale)));
        return line.toString();
    }

    /**
     * Requests the in-process broker has handled, by API (its own request meters in this JVM's MBean server): a
     * consumer that fetches in smaller pieces, or a producer that sends smaller batches, shows here as more requests
     * per transition before it shows as the broker's CPU.
     */
    static Map<String, Long> brokerRequests() {
        return meterCounts("kafka.network:type=RequestMetrics,name=RequestsPerSec,*", "request");
    }

    /** The counts of the broker's meters that match {@code pattern}, summed by the value of {@code byKey}. */
    static Map<String, Long> meterCounts(String pattern, String byKey) {
        Map<String, Long> counts = new HashMap<>();
        javax.management.MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (javax.management.ObjectName name : server.queryNames(new javax.management.ObjectName(pattern), null)) {
                counts.merge(name.getKeyProperty(byKey), ((Number) server.getAttribute(name, "Count")).longValue(), Long::sum);
            }
        } catch (javax.management.JMException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    static void printBrokerRequests(Map<String, Long> before, Map<String, Long> after, long transitions) {
        System.out.println(topGrowth("broker requests per 1,000 transitions:", before, after, 10, " %s %.1f", 1e3 / transitions));
    }

    /**
     * What this machine charges for the first write to memory no process has touched yet, against writing it again.
     * On a virtual machine whose host backs guest memory lazily, the first write to a page can cost several times the
     * write itself, and it varies with the host's state: the broker's log appends (every new page-cache page) and GC
     * pay it, so runs taken in different states of the host differ by more than the code does.
     */
    static String freshMemoryCost() {
        int bytes = 256 << 20;
        byte[] chunk = new byte[1 << 20];
        java.util.Arrays.fill(chunk, (byte) 1);
        long t0 = System.nanoTime();
        java.nio.ByteBuffer fresh = java.nio.ByteBuffer.allocateDirect(bytes);
        long first = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int at = 0; at < bytes; at += chunk.length) {
            fresh.put(at, chunk);
        }
        long again = System.nanoTime() - t0;
        double pages = bytes / 4096.0;
        return String.format("this machine: first write to fresh memory %.2f us per 4 KiB page, writing it again %.2f us (%.1fx)",
                first / 1e3 / pages, again / 1e3 / pages, (double) first / again);
    }

    /** Bytes appended to each topic's log, as the broker counts them: what the detector asks it to store. */
    static Map<String, Long> brokerBytesInByTopic() {
        return brokerTopicCounts("BytesInPerSec");
    }

    /** Per topic, a broker meter's count: BytesInPerSec, or TotalProduceRequestsPerSec (one per partition a request appends to). */
    static Map<String, Long> brokerTopicCounts(String meter) {
        return meterCounts("kafka.server:type=BrokerTopicMetrics,name=" + meter + ",topic=*", "topic");
    }

    static void printBytesIn(Map<String, Long> before, Map<String, Long> after, long transitions) {
        long all = after.entrySet().stream().mapToLong(e -> e.getValue() - before.getOrDefault(e.getKey(), 0L)).sum();
        System.out.println(topGrowth(String.format("bytes appended per transition: %.0f, of which", (double) all / transitions),
                before, after, 12, " %s %.0f", 1.0 / transitions).replace(" finwatch-bench-", " "));
    }

    /** How full the stream threads' fetches and produce requests were (the clients' own averages, last 30 s or so). */
    static void printClientBatching(KafkaStreams streams) {
        Map<String, List<Double>> byName = new java.util.TreeMap<>();
        streams.metrics().forEach((name, metric) -> {
            boolean fetch = name.group().equals("consumer-fetch-manager-metrics") && !name.tags().containsKey("topic")
                    && !name.tags().containsKey("partition") && name.tags().getOrDefault("client-id", "").endsWith("-consumer")
                    && !name.tags().get("client-id").contains("restore")
                    && (name.name().equals("records-per-request-avg") || name.name().equals("fetch-size-avg"));
            boolean produce = name.group().equals("producer-metrics")
                    && (name.name().equals("records-per-request-avg") || name.name().equals("batch-size-avg") || name.name().equals("request-rate"));
            if ((fetch || produce) && metric.metricValue() instanceof Double v && !v.isNaN()) {
                byName.computeIfAbsent((fetch ? "fetch " : "produce ") + name.name(), k -> new ArrayList<>()).add(v);
            }
        });
        StringBuilder line = new StringBuilder("client batching (per stream thread):");
        byName.forEach((name, values) -> line.append(' ').append(name).append(' ')
                .append(values.stream().map(v -> String.format("%.0f", v)).collect(java.util.stream.Collectors.joining("/"))));
        System.out.println(line);
    }

    static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static double rawConsumeRate(EmbeddedKafka kafka, long expected) {
        try (KafkaConsumer<byte[], byte[]> c = kafka.consumer(IsolationLevel.READ_UNCOMMITTED, TRANSITIONS)) {
            long n = 0;
            long t0 = System.nanoTime();
            while (n < expected) {
                n += c.poll(Duration.ofMillis(500)).count();
            }
            return n / seconds(t0);
        }
    }

    /** Sockets entering FIN_WAIT2 (attached, fin timeout 1 s) one every 50 ms; delay of each STUCK past its deadline. */
    static List<Long> stuckDelays(EmbeddedKafka kafka, int sockets) throws Exception {
        Map<Integer, Long> deadlineByPort = new ConcurrentHashMap<>();
        List<Long> delays = Collections.synchronizedList(new ArrayList<>());
        try (KafkaConsumer<byte[], byte[]> anomalies = kafka.consumer(IsolationLevel.READ_COMMITTED, ANOMALIES);
             KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            anomalies.seekToEnd(anomalies.assignment());
            anomalies.assignment().forEach(anomalies::position);
            CollectorRun run = new CollectorRun("latency-probe", "probe-1", Instant.now(), 1000, 1);
            Proc proc = new Proc(4242, "probe", null);
            long start = System.nanoTime();
            int sent = 0;
            long end = System.currentTimeMillis() + 60_000;
            while (delays.size() < sockets && System.currentTimeMillis() < end) {
                if (sent < sockets && System.nanoTime() - start >= sent * 50_000_000L) {
                    Instant now = Instant.now();
                    int port = 30_000 + sent;
                    deadlineByPort.put(port, now.toEpochMilli() + 1000);
                    byte[] value = FinwatchSerde.shared().encode(run.at(now).attached(run.socket(port), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, proc));
                    producer.send(new ProducerRecord<>(TRANSITIONS, run.host().getBytes(StandardCharsets.UTF_8), value));
                    producer.flush();
                    sent++;
                }
                ConsumerRecords<byte[], byte[]> records = anomalies.poll(Duration.ofMillis(5));
                long seen = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    FinWait2Anomaly a = FinwatchSerde.shared().decode(r.value(), FinWait2Anomaly.class);
                    Long deadline = a.getHost().equals("latency-probe") ? deadlineByPort.get(a.getLocalPort()) : null;
                    if (deadline != null) {
                        delays.add(seen - deadline);
                    }
                }
            }
        }
        return delays;
    }

    private StreamsThroughputBench() {
    }

}
