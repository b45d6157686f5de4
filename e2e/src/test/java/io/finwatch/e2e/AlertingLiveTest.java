package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.finwatch.testkit.FreePort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped alert rules and Grafana dashboard against a real Prometheus (Debian's prometheus binary, on loopback)
 * scraping {@code ./finwatch local}: its detector's /metrics and its collector's.
 *
 * <p>Two real failures: a process holding an attached FIN_WAIT2 socket in a namespace whose tcp_fin_timeout is 3 s
 * (the repro's own socket scenario), run under a command name of its own, so that the stuck-socket alert's workload
 * label singles it out from whatever else this shared machine holds; and a second collector, {@code ./finwatch
 * collect} for a host of its own, killed with -9 once the detector has heard it. FinwatchStuckSockets and
 * FinwatchCollectorSilent must fire for exactly those; once the leak is closed its alert must clear. Then every query
 * of the dashboard must return data. The rules are the shipped ones with every {@code for:} cut to 1 s, and
 * Prometheus scrapes and evaluates every second.
 */
class AlertingLiveTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path RULES = Launched.ROOT.resolve("docker/prometheus/finwatch-rules.yml");
    private static final Path DASHBOARD = Launched.ROOT.resolve("docker/grafana/finwatch.json");
    private static final Pattern METRIC = Pattern.compile("\\b(finwatch_[a-z0-9_]+|kafka_[a-z0-9_]+)\\b");
    @TempDir
    Path dir;

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    private final String host = "alerting-" + suffix;
    private final String ghost = "ghost-" + suffix;
    /** The leaking process's command name (at most 15 characters): its workload label outside Kubernetes. */
    private final String leaker = "fwleak" + suffix;
    private final String netns = "fwalert-" + suffix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Launched> launched = new ArrayList<>();
    private Process prometheus;
    private String prometheusUrl;
    private Process holder;
    private boolean netnsCreated;

    @BeforeAll
    static void packaged() {
        Launched.requirePackaged("collector", "local");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        for (Launched l : launched) {
            l.close();
        }
        if (netnsCreated) {
            new ProcessBuilder("ip", "netns", "delete", netns).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    @Test
    void stuckSocketAndSilentCollectorAlertsFireInPrometheusAndEveryDashboardQueryReturnsData() throws Exception {
        int kafkaPort = FreePort.belowEphemeralRange();
        int httpPort = FreePort.belowEphemeralRange();
        Launched local = start("alerting-local", Map.of("FINWATCH_HOME", dir.resolve("home").toString(), "JAVA_OPTS", "-Xmx768m"),
                "local", "--kafka-port", Integer.toString(kafkaPort), "--http", "127.0.0.1:" + httpPort, "--host", host);
        await().atMost(Duration.ofSeconds(180)).until(() -> {
            if (!local.isAlive()) {
                throw new AssertionError("local exited before it was ready:\n" + local.stdout() + "\n" + local.stderr());
            }
            return local.line(t -> t.startsWith("finwatch local ready in ")).isPresent();
        });
        int collectorPort = collectorMetricsPort(local.pid(), httpPort);

        // A second collector for a host of its own, heard by the detector, then killed.
        Launched ghostCollector = start("alerting-ghost", Map.of(), "collect", "--host", ghost, "--no-owners",
                "--bootstrap-servers", "127.0.0.1:" + kafkaPort, "--buffer-dir", dir.resolve("ghost-buffer").toString(),
                "--metrics", "127.0.0.1:" + FreePort.belowEphemeralRange());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> hostsHeard(httpPort).contains(ghost));

        startPrometheus(httpPort, collectorPort);
        ghostCollector.close();
        long killedAt = System.nanoTime();

        Leak leak = leak();
        long leakedAt = System.nanoTime();
        JsonNode stuckAlert = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> firing("FinwatchStuckSockets", Map.of("host", host, "workload", leaker)), Optional::isPresent).get();
        long stuckFiringAt = System.nanoTime();
        assertThat(stuckAlert.path("labels").path("severity").asText()).isEqualTo("warning");
        assertThat(stuckAlert.path("labels").has("k8s_namespace")).as("outside Kubernetes the namespace is empty").isFalse();
        assertThat(stuckAlert.path("annotations").path("summary").asText())
                .isEqualTo("Sockets stuck in FIN_WAIT2: process " + leaker + " on " + host);
        // It is this socket: the detector's STUCK for its endpoint names the same process.
        JsonNode stuck = new ApiClient(httpPort).anomaly("STUCK", "127.0.0.1:" + leak.attachedPort()).orElseThrow();
        assertThat(stuck.get("comm").asText()).isEqualTo(leaker);
        assertThat(stuck.get("pid").asLong()).isEqualTo(leak.pid());
        assertThat(stuck.get("host").asText()).isEqualTo(host);

        JsonNode silentAlert = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> firing("FinwatchCollectorSilent", Map.of("host", ghost)), Optional::isPresent).get();
        long silentFiringAt = System.nanoTime();
        assertThat(silentAlert.path("labels").path("severity").asText()).isEqualTo("warning");
        // Measured, not asserted: fin timeout 3 s, silence after 5 polls of 1 s, then scrape, evaluation and for: 1s.
        System.out.printf("FinwatchStuckSockets firing %d ms after the leak was ready; FinwatchCollectorSilent firing %d ms "
                + "after the second collector was killed%n", (stuckFiringAt - leakedAt) / 1_000_000, (silentFiringAt - killedAt) / 1_000_000);

        // Nothing else is wrong in this pipeline, so nothing else may fire (stuck sockets of other processes on this
        // shared machine fire the same alert for their own workloads).
        assertThat(firingNames()).isSubsetOf("FinwatchStuckSockets", "FinwatchCollectorSilent");

        Set<String> exposed = metricNames();
        Set<String> read = new TreeSet<>();
        for (JsonNode group : YAML.readTree(RULES.toFile()).path("groups")) {
            group.path("rules").forEach(r -> read.addAll(metrics(r.path("expr").asText())));
        }
        assertThat(exposed).as("metrics the alert rules read, in Prometheus").containsAll(read);

        List<String> empty = new ArrayList<>();
        int queries = 0;
        for (String expr : dashboardQueries()) {
            queries++;
            if (query(expr).isEmpty()) {
                empty.add(expr);
            }
        }
        assertThat(queries).isPositive();
        assertThat(empty).as("dashboard queries without data").isEmpty();
        System.out.printf("%d dashboard queries answered; alerts firing: %s%n", queries, firingNames());

        // The leak ends: its series goes, and so does its alert.
        holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> firing("FinwatchStuckSockets", Map.of("host", host, "workload", leaker)).isEmpty()
                        && query("finwatch_streams_stuck_sockets{workload=\"" + leaker + "\"}").isEmpty());
        assertThat(local.isAlive()).isTrue();
    }

    private record Leak(long pid, int attachedPort) {
    }

    /**
     * The repro's socket scenario (an attached and an orphaned FIN_WAIT2) in a namespace of this test with a 3 s
     * fin timeout, run by a JVM started through a link named {@link #leaker}, which becomes its command name.
     */
    private Leak leak() throws IOException, InterruptedException {
        run("ip", "netns", "add", netns);
        netnsCreated = true;
        run("ip", "-n", netns, "link", "set", "lo", "up");
        run("ip", "netns", "exec", netns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=3");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        Path link = Files.createSymbolicLink(dir.resolve(leaker), java);
        holder = new ProcessBuilder("ip", "netns", "exec", netns, link.toString(), "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), RealSocketsToAnomaliesTest.ReproHolder.class.getName())
                .redirectError(ProcessBuilder.Redirect.appendTo(Files.createDirectories(Path.of("target/child-logs"))
                        .resolve("alerting-holder.log").toFile()))
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        Integer attachedPort = null;
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            String[] f = line.split("\\|");
            if (f[0].startsWith("attached")) {
                attachedPort = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1));
            }
        }
        assertThat(line).as("the holder's READY line").startsWith("READY");
        assertThat(attachedPort).as("the attached socket").isNotNull();
        long pid = Long.parseLong(line.substring(line.indexOf("pid=") + 4).trim());
        assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip()).isEqualTo(leaker);
        return new Leak(pid, attachedPort);
    }

    /**
     * local binds its collector's /metrics on an ephemeral loopback port it does not print: found among the
     * process's listening sockets (ss) as the one that serves the collector's metrics.
     */
    private int collectorMetricsPort(long pid, int httpPort) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tlnpH").redirectErrorStream(true).start();
        String table = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor()).as("ss -tlnpH:\n%s", table).isZero();
        List<Integer> ports = new ArrayList<>();
        for (String row : table.split("\n")) {
            if (row.contains("pid=" + pid + ",")) {
                String[] cols = row.trim().split("\\s+");
                ports.add(Integer.parseInt(cols[3].substring(cols[3].lastIndexOf(':') + 1)));
            }
        }
        for (int port : ports) {
            if (port != httpPort) {
                try {
                    if (get("http://127.0.0.1:" + port + "/metrics").contains("finwatch_publish_lag_seconds")) {
                        return port;
                    }
                } catch (IOException notHttp) {
                    // the broker's listener, or another non-HTTP port
                }
            }
        }
        throw new AssertionError("no listening port of local (pid " + pid + ") serves the collector's metrics: " + ports + "\n" + table);
    }

    private void startPrometheus(int httpPort, int collectorPort) throws IOException, InterruptedException {
        ObjectNode rules = (ObjectNode) YAML.readTree(RULES.toFile());
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (rule.has("for")) {
                    ((ObjectNode) rule).put("for", "1s");
                }
            }
        }
        Path rulesFile = dir.resolve("rules.json");
        Files.writeString(rulesFile, JSON.writeValueAsString(rules));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:", "  scrape_interval: 1s", "  scrape_timeout: 1s", "  evaluation_interval: 1s",
                "rule_files:", "  - " + rulesFile,
                "scrape_configs:",
                "  - job_name: finwatch-streams", "    static_configs:", "      - targets: ['127.0.0.1:" + httpPort + "']",
                "  - job_name: finwatch-collector", "    static_configs:", "      - targets: ['127.0.0.1:" + collectorPort + "']", ""));
        int port = FreePort.belowEphemeralRange();
        Path log = Files.createDirectories(Path.of("target/child-logs")).resolve("alerting-prometheus.log");
        try {
            prometheus = new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("tsdb"),
                    "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException notInstalled) {
            throw new AssertionError("the prometheus binary is not installed (" + notInstalled.getMessage()
                    + "): this test runs Debian's prometheus package; apt-get install --no-install-recommends prometheus "
                    + "(.ci/run installs it)");
        }
        prometheusUrl = "http://127.0.0.1:" + port;
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited:\n" + Files.readString(log));
            }
            return get(prometheusUrl + "/-/ready").contains("Ready");
        });
        // Both targets up, and the rules loaded as written.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> query("up == 1").size() == 2);
        JsonNode loaded = JSON.readTree(get(prometheusUrl + "/api/v1/rules")).path("data").path("groups");
        List<String> names = new ArrayList<>();
        loaded.forEach(g -> g.path("rules").forEach(r -> names.add(r.path("name").asText())));
        List<String> shipped = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> shipped.add(r.path("alert").asText())));
        assertThat(names).containsExactlyInAnyOrderElementsOf(shipped);
    }

    private Optional<JsonNode> firing(String alert, Map<String, String> labels) throws IOException, InterruptedException {
        for (JsonNode a : JSON.readTree(get(prometheusUrl + "/api/v1/alerts")).path("data").path("alerts")) {
            JsonNode l = a.path("labels");
            if (a.path("state").asText().equals("firing") && l.path("alertname").asText().equals(alert)
                    && labels.entrySet().stream().allMatch(e -> l.path(e.getKey()).asText().equals(e.getValue()))) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private Set<String> firingNames() throws IOException, InterruptedException {
        Set<String> out = new TreeSet<>();
        for (JsonNode a : JSON.readTree(get(prometheusUrl + "/api/v1/alerts")).path("data").path("alerts")) {
            if (a.path("state").asText().equals("firing")) {
                out.add(a.path("labels").path("alertname").asText());
            }
        }
        return out;
    }

    private Set<String> metricNames() throws IOException, InterruptedException {
        Set<String> out = new TreeSet<>();
        JSON.readTree(get(prometheusUrl + "/api/v1/label/__name__/values")).path("data").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The instant query's result vector (empty when no series matched). */
    private List<JsonNode> query(String expr) throws IOException, InterruptedException {
        JsonNode r = JSON.readTree(get(prometheusUrl + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)));
        if (!r.path("status").asText().equals("success")) {
            throw new AssertionError("query " + expr + ": " + r);
        }
        List<JsonNode> out = new ArrayList<>();
        r.path("data").path("result").forEach(out::add);
        return out;
    }

    /**
     * Every panel target's expr, with Grafana's $__rate_interval as it would be for a 1 s scrape interval at a
     * short dashboard range (four scrape intervals at least; 15 s here).
     */
    private static List<String> dashboardQueries() throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode p : JSON.readTree(DASHBOARD.toFile()).path("panels")) {
            for (JsonNode t : p.path("targets")) {
                String expr = t.path("expr").asText().replace("$__rate_interval", "15s");
                assertThat(expr).as("dashboard query %s", t).isNotBlank().doesNotContain("$");
                out.add(expr);
            }
        }
        return out;
    }

    private Set<String> hostsHeard(int httpPort) throws IOException, InterruptedException {
        Set<String> out = new TreeSet<>();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/hosts"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            for (JsonNode h : JSON.readTree(r.body())) {
                if (!h.path("last_seen").isNull()) {
                    out.add(h.path("host").asText());
                }
            }
        }
        return out;
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    private static Set<String> metrics(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private Launched start(String name, Map<String, String> env, String... args) throws IOException {
        Launched l = Launched.start(name, env, args);
        launched.add(l);
        return l;
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
