package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.buffer.ChildJvm;
import io.finwatch.collector.cli.CollectorMain;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.Topics;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.testkit.EmbeddedKafka;
import io.finwatch.testkit.FreePort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs the real collector ({@code finwatch collect}) as a child JVM against an embedded broker, with real socket
 * churn in a namespace of its own, and reads back what reached Kafka.
 */
final class CollectorHarness implements AutoCloseable {
    static final String TRANSITIONS = Topics.TRANSITIONS;
    static final String HEARTBEATS = Topics.HEARTBEATS;

    final EmbeddedKafka kafka;
    final Path bufferDir;
    final Path log;
    final int metricsPort;
    private final String netns = "fwchurn-" + UUID.randomUUID().toString().substring(0, 8);
    private Process churn;
    private Process collector;

    /**
     * A fresh broker with both topics, churn running in a new namespace, and a collector log under
     * target/child-logs; {@link #close()} ends all of it.
     */
    static CollectorHarness start(Path workDir) throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        kafka.createTopic(TRANSITIONS, 3);
        kafka.createTopic(HEARTBEATS, 3);
        Path logs = java.nio.file.Files.createDirectories(Path.of("target/child-logs"));
        CollectorHarness h = new CollectorHarness(kafka, workDir.resolve("buffer"),
                java.nio.file.Files.createTempFile(logs, "collector", ".log"));
        h.startChurn();
        return h;
    }

    CollectorHarness(EmbeddedKafka kafka, Path bufferDir, Path log) throws IOException {
        this.kafka = kafka;
        this.bufferDir = bufferDir;
        this.log = log;
        // The same port across the collector's restarts, so outside the range outgoing connections draw from.
        metricsPort = FreePort.belowEphemeralRange();
    }

    /** Inode of the churn's namespace, as events carry it. */
    long churnNetns() throws IOException {
        return (Long) java.nio.file.Files.getAttribute(Path.of("/run/netns", netns), "unix:ino");
    }

    void startChurn() throws Exception {
        run("ip", "netns", "add", netns);
        run("ip", "-n", netns, "link", "set", "lo", "up");
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ChurnMain.class.getName(), "20"));
        churn = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        String ready = new BufferedReader(new InputStreamReader(churn.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(ready).as("churn started").startsWith("READY");
    }

    Process startCollector(String... extra) throws IOException {
        return startCollector(kafka.bootstrapServers(), List.of(), extra);
    }

    /** A collector sending to {@code bootstrapServers}, its JVM started with {@code jvmOptions}. */
    Process startCollector(String bootstrapServers, List<String> jvmOptions, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("collect", "--bootstrap-servers", bootstrapServers,
                "--buffer-dir", bufferDir.toString(), "--interval", "200ms", "--host", "churnhost",
                "--metrics", "127.0.0.1:" + metricsPort,
                // Only the churn's namespace: what the tests count (events, bytes against a disk cap) must not
                // depend on how many sockets other work on the machine holds.
                "--netns", netns));
        args.addAll(List.of(extra));
        collector = ChildJvm.start(CollectorMain.class, log, jvmOptions, args.toArray(String[]::new));
        return collector;
    }

    /** The collector process started last. */
    Process startedCollector() {
        return collector;
    }

    /** The independent reader's view of both topics. */
    SeqAudit audit() {
        return SeqAudit.of(kafka.consumeAll(TRANSITIONS, HEARTBEATS));
    }

    /**
     * Waits until /healthz answers 200 and a first poll completed. The first poll of a busy host (every socket
     * first seen, a full fd scan) can take a while; later ones are quick.
     */
    void awaitHealthy() {
        await().atMost(Duration.ofSeconds(120)).until(() -> httpGet("/healthz").status() == 200
                && metric("finwatch_poll_duration_seconds_count") >= 1);
    }

    /** An HTTP answer; status -1 when the collector did not answer at all. */
    record Answer(int status, String body) {
    }

    Answer httpGet(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metricsPort + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }

    /** A metric's value from /metrics (counters carry Prometheus' _total suffix), or -1 when not (yet) there. */
    double metric(String name) {
        Answer r = httpGet("/metrics");
        if (r.status() != 200) {
            return -1;
        }
        for (String line : r.body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return -1;
    }

    /** Every finwatch event in both topics, decoded. */
    List<SpecificRecord> events() {
        List<SpecificRecord> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(TRANSITIONS, HEARTBEATS)) {
            out.add(FinwatchSerde.shared().decodeAny(r.value()));
        }
        return out;
    }

    static long seq(SpecificRecord r) {
        return (Long) r.get(r.getSchema().getField("seq").pos());
    }

    /** Seqs in [0, max seen] that never arrived. */
    static TreeSet<Long> missing(List<SpecificRecord> events) {
        TreeSet<Long> seen = new TreeSet<>();
        events.forEach(e -> seen.add(seq(e)));
        TreeSet<Long> missing = new TreeSet<>();
        long max = seen.isEmpty() ? -1 : seen.last();
        for (long s = 0; s <= max; s++) {
            if (!seen.contains(s)) {
                missing.add(s);
            }
        }
        return missing;
    }

    /** Seqs that heartbeats declared shed. */
    static TreeSet<Long> declaredShed(List<SpecificRecord> events) {
        TreeSet<Long> shed = new TreeSet<>();
        for (SpecificRecord e : events) {
            if (e instanceof CollectorHeartbeat h) {
                for (SeqRange r : h.getShedRanges()) {
                    for (long s = r.getFirst(); s <= r.getLast(); s++) {
                        shed.add(s);
                    }
                }
            }
        }
        return shed;
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }

    @Override
    public void close() throws Exception {
        if (collector != null && collector.isAlive()) {
            collector.destroyForcibly().waitFor();
        }
        if (churn != null) {
            churn.destroyForcibly().waitFor();
        }
        run("ip", "netns", "delete", netns);
        kafka.close();
    }
}
