package io.finwatch.streams.bench;

import io.finwatch.common.config.HostPort;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.app.StreamsApp;
import io.finwatch.streams.app.StreamsAppConfig;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.query.ApiJson;
import io.finwatch.streams.query.DwellWindow;
import io.finwatch.streams.query.FinWait2Reader;
import io.finwatch.streams.query.HostReader;
import io.finwatch.streams.query.PartitionStores;
import io.finwatch.streams.query.ProcessReader;
import io.finwatch.streams.query.QueryParams;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.testkit.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Latency of the query API over a loaded store, against an anchor taken in the same run.
 *
 * <ol>
 * <li>Through the real topology on an embedded broker: {@code hosts} hosts with a heartbeat each, and
 *     {@code sockets} attached FIN_WAIT2 sockets spread evenly over them and over 12 processes per host (fin
 *     timeout 1 h, so none turns STUCK while it runs). Waits until {@code /api/hosts} counts them all.
 * <li>Anchor: {@code GET /healthz}, the HTTP round trip with no store read.
 * <li>Key-based: {@code GET /api/hosts/{random host}/finwait2} (a prefix scan of one host's sockets, ~100 here).
 * <li>Fleet-wide: {@code GET /api/hosts} (every host summary) and {@code GET /api/top/processes} (every process's
 *     open counts, top 10).
 * </ol>
 * Requests run one at a time from one client over a kept-alive connection, interleaved round-robin so that load
 * from elsewhere on the machine hits every kind alike; latencies in HdrHistogram, µs.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -o -pl streams -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -Xmx2g -cp streams/target/test-classes:streams/target/classes:$(cat streams/target/bench.cp) \
 *     io.finwatch.streams.bench.QueryLatencyBench [sockets=100000] [hosts=1000] [rounds=2000]
 * </pre>
 */
public final class QueryLatencyBench {

    private static final Pattern OPEN = Pattern.compile("\"open_fin_wait2\":(\\d+)");

    private QueryLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            a.put(kv[0], kv[1]);
        }
        int sockets = Integer.parseInt(a.getOrDefault("sockets", "100000"));
        int hosts = Integer.parseInt(a.getOrDefault("hosts", "1000"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "2000"));
        Path state = Files.createTempDirectory("query-bench");
        try {
            run(state, sockets, hosts, rounds);
        } finally {
            StreamsThroughputBench.deleteTree(state);
        }
    }

    private static void run(Path state, int sockets, int hosts, int rounds) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            StreamsSettings settings = StreamsSettings.builder().topics("q.transitions", "q.heartbeats", "q.anomalies", "q.dlq")
                    .silenceAfter(Duration.ofHours(1)).build();
            kafka.createTopics(6, settings.transitionsTopic(), settings.heartbeatsTopic(), settings.pairingTopic(), settings.pairFactsTopic(),
                    settings.hostDirectoryTopic());
            kafka.createTopics(1, settings.anomaliesTopic(), settings.dlqTopic());
            long t0 = System.nanoTime();
            produce(kafka, settings, sockets, hosts);
            System.out.printf("produced %,d FIN_WAIT2 sockets over %,d hosts in %.1f s%n", sockets, hosts, (System.nanoTime() - t0) / 1e9);
            Properties props = KafkaStreamsProperties.assemble(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"), "bench", Map.of(),
                    Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "query-bench",
                            StreamsConfig.STATE_DIR_CONFIG, state.toString()));
            StreamsAppConfig config = StreamsAppConfig.builder(settings, props).http(new HostPort("127.0.0.1", 0)).topics(false, 6, (short) 1)
                    .build();
            try (StreamsApp app = StreamsApp.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String base = "http://127.0.0.1:" + app.httpPort();
                t0 = System.nanoTime();
                while (openTotal(client, base) < sockets) {
                    Thread.sleep(500); // a benchmark's own progress poll, not test synchronisation
                }
                System.out.printf("store loaded %.1f s after start%n", (System.nanoTime() - t0) / 1e9);
                String[] kinds = {"/healthz", "/api/hosts/{host}/finwait2", "/api/hosts", "/api/top/processes"};
                Histogram[] h = new Histogram[kinds.length];
                for (int k = 0; k < kinds.length; k++) {
                    h[k] = new Histogram(3_600_000_000L, 3);
                }
                Random random = new Random(5);
                int warmup = Math.max(100, rounds / 10);
                for (int r = 0; r < warmup + rounds; r++) {
                    for (int k = 0; k < kinds.length; k++) {
                        String path = kinds[k].replace("{host}", host(random.nextInt(hosts)));
                        long start = System.nanoTime();
                        HttpResponse<String> rsp = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        long us = (System.nanoTime() - start) / 1000;
                        if (rsp.statusCode() != 200) {
                            throw new IllegalStateException(path + " -> " + rsp.statusCode() + " " + rsp.body());
                        }
                        if (r >= warmup) {
                            h[k].recordValue(us);
                        }
                    }
                }
                double anchor50 = h[0].getValueAtPercentile(50);
                double anchor99 = h[0].getValueAtPercentile(99);
                System.out.printf("%-30s %10s %10s %10s %9s %9s%n", "request", "p50 us", "p99 us", "max us", "p50/anc", "p99/anc");
                for (int k = 0; k < kinds.length; k++) {
                    System.out.printf("%-30s %,10d %,10d %,10d %9.1f %9.1f%n", kinds[k], h[k].getValueAtPercentile(50),
                            h[k].getValueAtPercentile(99), h[k].getMaxValue(), h[k].getValueAtPercentile(50) / anchor50,
                            h[k].getValueAtPercentile(99) / anchor99);
                }
                phases(app, hosts, rounds);
            }
        }
    }

    /**
     * The same reads without HTTP, so a slow request can be split into reading the stores and writing the JSON:
     * the readers over this instance's partitions, then {@link ApiJson#write} of what they returned.
     */
    private static void phases(StreamsApp app, int hosts, int rounds) {
        KafkaStreams streams = app.streams();
        // Each partition once: the detector's, pairing's and directory's tasks of a partition share its number.
        java.util.SortedSet<Integer> partitions = new java.util.TreeSet<>();
        streams.metadataForLocalThreads().forEach(t -> t.activeTasks().forEach(task -> partitions.add(task.taskId().partition())));
        Map<String, Function<PartitionStores, List<?>>> reads = new LinkedHashMap<>();
        Random random = new Random(7);
        // One host per round, asked of every partition as the router would not: the others answer empty.
        String[] host = {host(0)};
        reads.put("finwait2 of one host", s -> FinWait2Reader.of(s, host[0], Instant.now()));
        reads.put("  of which connections' store", s -> values(s.keyValue(StoreNames.CONNECTIONS), StoreKeys.hostPrefix(host[0])));
        reads.put("  of which peers' store", s -> values(s.keyValue(StoreNames.PEERS), StoreKeys.hostPrefix(host[0])));
        reads.put("hosts", HostReader::all);
        reads.put("  of which heartbeats' store", s -> values(s.keyValue(StoreNames.HOSTS)));
        reads.put("  of which hosts' open counts", s -> values(s.keyValue(StoreNames.OPEN_FIN_WAIT2_HOSTS)));
        reads.put("top processes", s -> ProcessReader.top(s, QueryParams.TopBy.ATTACHED, DwellWindow.parse("1h"), Instant.now(), 10));
        reads.put("  of which processes' open counts", s -> values(s.keyValue(StoreNames.OPEN_FIN_WAIT2)));
        System.out.printf("%-30s %10s %10s %10s%n", "direct (no HTTP)", "read us", "json us", "elements");
        for (var e : reads.entrySet()) {
            Histogram read = new Histogram(3_600_000_000L, 3);
            Histogram json = new Histogram(3_600_000_000L, 3);
            int elements = 0;
            for (int r = 0; r < Math.max(100, rounds / 10) + rounds; r++) {
                host[0] = host(random.nextInt(hosts));
                long start = System.nanoTime();
                List<Object> all = new ArrayList<>();
                for (int p : partitions) {
                    all.addAll(e.getValue().apply(new PartitionStores(streams, p, false)));
                }
                long mid = System.nanoTime();
                ApiJson.write(all);
                elements = all.size();
                long end = System.nanoTime();
                if (r >= Math.max(100, rounds / 10)) {
                    read.recordValue((mid - start) / 1000);
                    json.recordValue((end - mid) / 1000);
                }
            }
            System.out.printf("%-30s %,10d %,10d %,10d%n", e.getKey(), read.getValueAtPercentile(50), json.getValueAtPercentile(50), elements);
        }
    }

    /** Every value of a store, so the readers' own cost can be told from their stores'. */
    private static List<Object> values(ReadOnlyKeyValueStore<String, Object> store) {
        List<Object> out = new ArrayList<>();
        try (KeyValueIterator<String, Object> it = store.all()) {
            it.forEachRemaining(e -> out.add(e.value));
        }
        return out;
    }

    /** The values of a store under a key prefix. */
    private static List<Object> values(ReadOnlyKeyValueStore<String, Object> store, String prefix) {
        List<Object> out = new ArrayList<>();
        try (KeyValueIterator<String, Object> it = store.prefixScan(prefix, new org.apache.kafka.common.serialization.StringSerializer())) {
            it.forEachRemaining(e -> out.add(e.value));
        }
        return out;
    }

    private static long openTotal(HttpClient client, String base) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/hosts")).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return -1;
        }
        long total = 0;
        Matcher m = OPEN.matcher(r.body());
        while (m.find()) {
            total += Long.parseLong(m.group(1));
        }
        return total;
    }

    private static void produce(EmbeddedKafka kafka, StreamsSettings s, int sockets, int hosts) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        FinwatchSerde serde = FinwatchSerde.shared();
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            CollectorRun[] runs = new CollectorRun[hosts];
            for (int h = 0; h < hosts; h++) {
                runs[h] = new CollectorRun(host(h), host(h) + "-run", now, 1000, 3600);
                producer.send(new ProducerRecord<>(s.heartbeatsTopic(), key(h), serde.encode(runs[h].heartbeat())));
            }
            for (int i = 0; i < sockets; i++) {
                int h = i % hosts;
                int service = (i / hosts) % 12;
                Proc p = new Proc(1000 + service, "svc" + service, null);
                producer.send(new ProducerRecord<>(s.transitionsTopic(), key(h),
                        serde.encode(runs[h].attached(runs[h].socket(10000 + i / hosts), null, TcpState.FIN_WAIT2, p))));
            }
            producer.flush();
        }
    }

    private static byte[] key(int h) {
        return host(h).getBytes(StandardCharsets.UTF_8);
    }

    private static String host(int h) {
        return String.format("node-%04d", h);
    }
}
