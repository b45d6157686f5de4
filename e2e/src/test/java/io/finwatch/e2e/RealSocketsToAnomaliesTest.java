package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.cli.CollectorMain;
import io.finwatch.collector.repro.SocketScenario;
import io.finwatch.schemas.Topics;
import io.finwatch.testkit.FreePort;
import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.cli.StreamsMain;
import io.finwatch.testkit.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiPredicate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on real sockets: an attached and an orphaned FIN_WAIT2 in a namespace whose
 * tcp_fin_timeout is 3 s, the real collector and the real streams app as separate processes, a real broker.
 * The attached socket (the leak) must produce exactly one STUCK naming its pid; the orphan, which the kernel
 * reaps on time, none.
 */
class RealSocketsToAnomaliesTest {
    private static final String ANOMALIES = Topics.ANOMALIES;

    @TempDir
    Path dir;

    private final String netns = "fwe2e-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<Process> processes = new ArrayList<>();
    private EmbeddedKafka kafka;
    private Path logs;

    @BeforeEach
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        logs = Files.createDirectories(Path.of("target/child-logs"));
        run("ip", "netns", "add", netns);
        run("ip", "-n", netns, "link", "set", "lo", "up");
        run("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=3");
    }

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        run("ip", "netns", "delete", netns);
        kafka.close();
    }

    @Test
    void theAttachedLeakIsStuckOnceNamingItsPidAndTheReapedOrphanNever() throws Exception {
        Process streams = java(StreamsMain.class, "streams", "--bootstrap-servers", kafka.bootstrapServers(),
                "--state-dir", dir.resolve("state").toString(), "--application-id", "finwatch-e2e",
                "--http", "127.0.0.1:" + FreePort.belowEphemeralRange(), "--partitions", "2");
        Process collector = java(CollectorMain.class, "collect", "--bootstrap-servers", kafka.bootstrapServers(),
                "--buffer-dir", dir.resolve("buffer").toString(), "--interval", "1s", "--host", "e2ehost",
                "--metrics", "127.0.0.1:" + FreePort.belowEphemeralRange());

        // The sockets, inside the namespace: printed as role|family|local|remote|state, then READY pid=N.
        Process holder = inNetns(ReproHolder.class);
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String attachedLocal = null;
        String orphanLocal = null;
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            String[] f = line.split("\\|");
            if (f[0].startsWith("attached")) {
                attachedLocal = f[2];
            } else if (f[0].startsWith("orphaned")) {
                orphanLocal = f[2];
            }
        }
        assertThat(line).startsWith("READY");
        long holderPid = Long.parseLong(line.substring(line.indexOf("pid=") + 4).trim());
        int attachedPort = port(attachedLocal);
        int orphanPort = port(orphanLocal);
        // The collector watches every namespace, and others reuse loopback ports: a socket is the holder's only in its
        // own namespace.
        long ns = ((Number) Files.getAttribute(Path.of("/run/netns", netns), "unix:ino")).longValue();
        BiPredicate<FinWait2Anomaly, Integer> ours = (a, port) -> a.getNetns() != null && a.getNetns() == ns
                && a.getLocalPort() != null && a.getLocalPort().intValue() == port;

        // fin timeout 3 s; the STUCK must come, and the orphan (reaped after 3 s) must not follow it.
        List<FinWait2Anomaly> anomalies = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(this::anomalies, a -> a.stream().anyMatch(x -> x.getKind() == AnomalyKind.STUCK && ours.test(x, attachedPort)));
        // The orphan's deadline (3 s) plus grace passes within this window; it must stay free of STUCK throughout.
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> anomalies().stream().noneMatch(a -> a.getKind() == AnomalyKind.STUCK && ours.test(a, orphanPort)));
        anomalies = anomalies();

        List<FinWait2Anomaly> stuck = anomalies.stream().filter(a -> a.getKind() == AnomalyKind.STUCK).toList();
        assertThat(stuck.stream().filter(a -> ours.test(a, attachedPort)))
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getReason()).isEqualTo(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT);
                    assertThat(a.getHost()).isEqualTo("e2ehost");
                    assertThat(a.getPid()).isEqualTo((int) holderPid);
                    assertThat(a.getComm()).isEqualTo("java");
                    assertThat(a.getOrphaned()).isFalse();
                    assertThat(a.getFinTimeoutS()).isEqualTo(3);
                });
        assertThat(stuck).noneMatch(a -> ours.test(a, orphanPort));
        assertThat(streams.isAlive()).isTrue();
        assertThat(collector.isAlive()).isTrue();
    }

    private static int port(String endpoint) {
        return Integer.parseInt(endpoint.substring(endpoint.lastIndexOf(':') + 1));
    }

    private List<FinWait2Anomaly> anomalies() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<FinWait2Anomaly> out = new ArrayList<>();
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            var infos = c.partitionsFor(ANOMALIES, Duration.ofSeconds(5));
            if (infos == null || infos.isEmpty()) {
                return out;
            }
            List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(ANOMALIES, i.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            var end = c.endOffsets(parts);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                    out.add(FinwatchSerde.shared().decode(r.value(), FinWait2Anomaly.class));
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException notYet) {
            // topic not created yet
        } finally {
            // A close's default wait is 30 s, the whole of the caller's await: once it blocked on a loaded CI machine.
            c.close(Duration.ofSeconds(2));
        }
        return out;
    }

    /** Holds the repro's two FIN_WAIT2 sockets, in IPv4, until killed. */
    public static final class ReproHolder {
        public static void main(String[] args) throws Exception {
            try (SocketScenario s = SocketScenario.finWait2Pair(4)) {
                for (SocketScenario.Created c : s.created()) {
                    System.out.println(c.role() + "|" + c.family() + "|" + c.local() + "|" + c.remote() + "|" + c.state());
                }
                System.out.println("READY pid=" + ProcessHandle.current().pid());
                System.out.flush();
                while (System.in.read() >= 0) {
                    // hold until the test ends
                }
            }
        }
    }

    private Process java(Class<?> main, String... args) throws IOException {
        List<String> cmd = javaCommand(main);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(main.getSimpleName() + ".log").toFile()))
                .start();
        processes.add(p);
        return p;
    }

    private Process inNetns(Class<?> main) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", netns));
        cmd.addAll(javaCommand(main));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(
                logs.resolve(main.getSimpleName() + ".log").toFile())).start();
        processes.add(p);
        return p;
    }

    private static List<String> javaCommand(Class<?> main) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx384m", "-cp", System.getProperty("java.class.path"), main.getName()));
        return cmd;
    }


    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
    }
}
