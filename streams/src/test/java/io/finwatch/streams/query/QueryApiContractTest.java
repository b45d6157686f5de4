package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.app.StreamsApp;
import io.finwatch.streams.app.StreamsAppConfig;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.topology.FinwatchTopology;
import io.finwatch.testkit.EmbeddedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The query API's contract (docs/api.md) against one real detector instance on a real broker, served over TLS
 * with a bearer token: every endpoint's field names and types, timestamps, the error bodies, the token check.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiContractTest {

    static final String TOKEN = "contract-test-token";
    static final String ISO_MS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @TempDir
    static Path work;

    EmbeddedKafka kafka;
    StreamsApp app;
    ApiClient api;
    Path keystore;

    @BeforeAll
    void start() throws Exception {
        kafka = EmbeddedKafka.start();
        keystore = TestKeystore.create(work);
        StreamsSettings settings = StreamsSettings.builder().topics("c.transitions", "c.heartbeats", "c.anomalies", "c.dlq")
                .pairingTopics("c.pairing", "c.pair-facts", "c.host-directory")
                .punctuateEvery(Duration.ofMillis(200)).foldEvery(Duration.ofMillis(500))
                // One heartbeat per host: no COLLECTOR_SILENT while the test runs.
                .silenceAfter(Duration.ofMinutes(10)).build();
        Properties props = KafkaStreamsProperties.assemble(Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"), "test", Map.of(),
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), StreamsConfig.APPLICATION_ID_CONFIG, "contract",
                        StreamsConfig.STATE_DIR_CONFIG, work.resolve("state").toString()));
        kafka.createTopics(3, "c.transitions", "c.heartbeats", "c.anomalies", "c.dlq", "c.pairing", "c.pair-facts", "c.host-directory");
        StreamsAppConfig config = StreamsAppConfig.builder(settings, props).http(new HostPort("127.0.0.1", 0)).topics(false, 3, (short) 1)
                .security(new ApiSecurity(TOKEN, keystore, TestKeystore.PASSWORD.toCharArray(), null, null)).build();
        app = StreamsApp.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        api = new ApiClient(app.httpPort(), keystore, TOKEN);
        produceFleet(settings);
        // node-a's short-timeout socket turns STUCK, and its ended episode is folded into the dwell histograms.
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() ->
                api.json("/api/anomalies?host=node-a").size() == 1
                        && api.json("/api/hosts/node-a/processes").findValues("count").stream().mapToLong(JsonNode::asLong).sum() == 1
                        && api.json("/api/hosts").size() == 3);
    }

    /**
     * node-a: kube-proxy (pid 4242) holds two FIN_WAIT2 sockets, one past a 1 s fin timeout; an orphan nobody was
     * seen holding; svc (pid 77) had one episode that ended. node-b: heartbeats only. node-c: a FIN_WAIT2 socket
     * but no heartbeat yet.
     */
    static final io.finwatch.schemas.PodIdentity PROXY_POD = io.finwatch.schemas.PodIdentity.newBuilder()
            .setPodUid("0a1b2c3d-0000-4111-8222-333344445555").setPodName("kube-proxy-x7k2p").setK8sNamespace("kube-system")
            .setContainerName("kube-proxy").setWorkloadKind("DaemonSet").setWorkloadName("kube-proxy").build();

    private static io.finwatch.schemas.SocketTransition inPod(io.finwatch.schemas.SocketTransition t,
                                                              io.finwatch.schemas.PodIdentity pod) {
        t.setPod(pod);
        return t;
    }

    void produceFleet(StreamsSettings s) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        CollectorRun a = new CollectorRun("node-a", "node-a-run", now, 1000, 3600);
        CollectorRun b = new CollectorRun("node-b", "node-b-run", now, 1000, 60);
        CollectorRun c = new CollectorRun("node-c", "node-c-run", now, 1000, 60);
        Proc proxy = new Proc(4242, "kube-proxy", null);
        Proc svc = new Proc(77, "svc", "c0ffee");
        List<SpecificRecord> events = new ArrayList<>();
        events.add(a.heartbeat(Map.of("ESTABLISHED", 640L, "FIN_WAIT2", 3L), 2, 1));
        events.add(inPod(a.attached(a.socket(40001), null, TcpState.FIN_WAIT2, proxy), PROXY_POD));
        SocketTransition shut = inPod(a.finTimeout(1).attached(a.socket(40002), null, TcpState.FIN_WAIT2, proxy), PROXY_POD);
        // The kernel's proof of shutdown() without close(), and what the peer left unacknowledged.
        shut.setShutdown(ShutdownFlags.WR);
        shut.setRecvQ(0L);
        shut.setSendQ(0L);
        // In FIN_WAIT2 since 300 ms before the poll, by the kernel's tcp_info.
        shut.setStateSinceMs(now.minusMillis(300).toEpochMilli());
        shut.setStateSinceSource(io.finwatch.schemas.StateSinceSource.KERNEL);
        events.add(shut);
        SocketTransition orphan = a.finTimeout(3600).orphan(a.socket(40003), null, TcpState.FIN_WAIT2, null, 3_600_000);
        // The kernel's reap time from the orphan's timer, as a collector reading its timer sends it.
        orphan.setReapAtMs(orphan.getReapDeadline().toEpochMilli());
        events.add(orphan);
        events.add(a.attached(a.socket(40004), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, svc));
        events.add(a.at(now.plusMillis(1500)).gone(a.socket(40004), TcpState.FIN_WAIT2));
        events.add(b.heartbeat());
        events.add(inPod(c.attached(c.socket(50001), null, TcpState.FIN_WAIT2, svc), io.finwatch.schemas.PodIdentity.newBuilder()
                .setPodUid("0a1b2c3d-0000-4111-8222-666677778888").setPodName("web-7d9f-x1").setK8sNamespace("shop")
                .setContainerName("web").setWorkloadKind("Deployment").setWorkloadName("web").build()));
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            for (SpecificRecord e : events) {
                String host = e.get(e.getSchema().getField("host").pos()).toString();
                producer.send(new ProducerRecord<>(s.transitionsTopic(), host.getBytes(StandardCharsets.UTF_8), FinwatchSerde.shared().encode(e)));
            }
            producer.flush();
        }
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void hostsListEveryHostWithTheContractsFields() throws Exception {
        HttpResponse<String> r = api.get("/api/hosts");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode hosts = ApiClient.JSON.readTree(r.body());
        assertThat(names(hosts)).containsExactly("node-a", "node-c", "node-b");
        JsonNode a = hosts.get(0);
        assertThat(fields(a)).containsExactlyInAnyOrder("host", "last_seen", "open_fin_wait2", "attached", "orphaned", "namespaces", "states",
                "sockets_seen", "collector_id", "collector_version", "poll_interval_ms", "silent", "silent_since", "stale");
        assertThat(a.get("last_seen").asText()).matches(ISO_MS);
        assertThat(a.get("open_fin_wait2").asLong()).isEqualTo(3);
        assertThat(a.get("attached").asLong()).isEqualTo(2);
        assertThat(a.get("orphaned").asLong()).isEqualTo(1);
        assertThat(fields(a.get("namespaces").get(0))).containsExactlyInAnyOrder("netns", "fin_timeout_s", "fin_timeout_source", "sockets");
        assertThat(a.get("namespaces").get(0).get("netns").asLong()).isEqualTo(CollectorRun.NETNS);
        assertThat(a.get("states").get("ESTABLISHED").asLong()).isEqualTo(640);
        assertThat(a.get("collector_id").asText()).isEqualTo("node-a-run");
        assertThat(a.get("poll_interval_ms").asLong()).isEqualTo(1000);
        assertThat(a.get("silent").isBoolean()).isTrue();
        assertThat(a.get("silent_since").isNull()).isTrue();
        assertThat(a.get("stale").asBoolean()).isFalse();
        JsonNode c = hosts.get(1);
        assertThat(c.get("attached").asLong()).isEqualTo(1);
        assertThat(c.has("last_seen") && c.get("last_seen").isNull()).as("no heartbeat yet: present and null").isTrue();
        assertThat(c.get("namespaces").isNull()).isTrue();
        assertThat(r.headers().firstValue(Answer.STALE_HEADER)).isEmpty();
    }

    @Test
    void finWait2ListsTheHostsOpenSocketsLongestFirst() throws Exception {
        JsonNode sockets = api.json("/api/hosts/node-a/finwait2");
        assertThat(sockets).hasSize(3);
        JsonNode first = sockets.get(0);
        assertThat(fields(first)).containsExactlyInAnyOrder("host", "netns", "family", "local_ip", "local_port", "remote_ip", "remote_port",
                "pid", "comm", "container_id", "orphaned", "stuck", "entered_at", "entered_at_source", "dwell_ms", "deadline", "reap_at",
                "fin_timeout_s", "stale", "shutdown", "recv_q", "send_q", "state", "verdict", "peer");
        assertThat(first.get("family").asText()).isEqualTo("IPV4");
        assertThat(first.get("entered_at").asText()).matches(ISO_MS);
        assertThat(first.get("deadline").asText()).matches(ISO_MS);
        assertThat(first.get("dwell_ms").isIntegralNumber()).isTrue();
        assertThat(first.get("container_id").isNull()).isTrue();
        JsonNode stuck = find(sockets, "local_port", 40002);
        assertThat(stuck.get("stuck").asBoolean()).isTrue();
        assertThat(stuck.get("fin_timeout_s").asInt()).isEqualTo(1);
        assertThat(stuck.get("pid").asInt()).isEqualTo(4242);
        assertThat(stuck.get("shutdown").asText()).isEqualTo("WR");
        assertThat(stuck.get("recv_q").asLong()).isZero();
        assertThat(stuck.get("entered_at_source").asText()).as("the kernel's time in FIN_WAIT2").isEqualTo("KERNEL");
        assertThat(stuck.get("reap_at").isNull()).as("attached: never reaped").isTrue();
        JsonNode orphan = find(sockets, "local_port", 40003);
        assertThat(orphan.get("entered_at_source").asText()).as("first seen by a poll").isEqualTo("OBSERVED");
        assertThat(orphan.get("reap_at").asText()).matches(ISO_MS).isEqualTo(orphan.get("deadline").asText());
        assertThat(orphan.get("shutdown").isNull()).as("not told: present and null").isTrue();
        assertThat(orphan.get("orphaned").asBoolean()).isTrue();
        assertThat(orphan.get("pid").isNull()).isTrue();
        assertThat(find(sockets, "local_port", 40001).get("stuck").asBoolean()).isFalse();
        List<Long> dwell = new ArrayList<>();
        sockets.forEach(s -> dwell.add(s.get("dwell_ms").asLong()));
        assertThat(dwell).isSortedAccordingTo((x, y) -> Long.compare(y, x));
    }

    @Test
    void processesJoinOpenCountsWithTheWindowsDwell() throws Exception {
        JsonNode procs = api.json("/api/hosts/node-a/processes?window=15m");
        assertThat(procs).hasSize(3);
        JsonNode proxy = procs.get(0);
        assertThat(fields(proxy)).containsExactlyInAnyOrder("host", "pid", "comm", "attached", "orphaned", "window", "count", "p50_ms",
                "p90_ms", "p99_ms", "max_ms", "stale");
        assertThat(proxy.get("comm").asText()).isEqualTo("kube-proxy");
        assertThat(proxy.get("attached").asLong()).isEqualTo(2);
        assertThat(proxy.get("window").asText()).isEqualTo("15m");
        assertThat(proxy.get("count").asLong()).isZero();
        assertThat(proxy.get("p99_ms").isNull()).as("no ended episode: percentiles null").isTrue();
        JsonNode svc = find(procs, "pid", 77);
        assertThat(svc.get("count").asLong()).isEqualTo(1);
        // HdrHistogram at 2 significant digits: 1500 ms within 1%.
        assertThat(svc.get("p50_ms").asLong()).isBetween(1485L, 1515L);
        assertThat(svc.get("max_ms").asLong()).isBetween(1485L, 1515L);
        JsonNode unknownOwner = find(procs, "orphaned", 1);
        assertThat(unknownOwner.get("pid").isNull()).isTrue();
        assertThat(unknownOwner.get("comm").isNull()).isTrue();
        assertThat(find(api.json("/api/hosts/node-a/processes?window=all"), "pid", 77).get("count").asLong()).isEqualTo(1);
        assertThat(api.json("/api/hosts/node-a/processes").get(0).get("window").asText()).as("default window").isEqualTo("1h");
    }

    @Test
    void anomaliesFilterByHostKindSinceAndLimit() throws Exception {
        JsonNode all = api.json("/api/anomalies");
        assertThat(all).hasSize(1);
        JsonNode stuck = all.get(0);
        assertThat(fields(stuck)).contains("anomaly_id", "kind", "reason", "host", "netns", "local_ip", "local_port", "remote_ip",
                "remote_port", "pid", "comm", "container_id", "orphaned", "entered_at", "detected_at", "dwell_ms", "fin_timeout_s", "stale");
        assertThat(stuck.get("kind").asText()).isEqualTo("STUCK");
        assertThat(stuck.get("reason").asText()).isEqualTo("ATTACHED_PAST_FIN_TIMEOUT");
        assertThat(stuck.get("local_port").asInt()).isEqualTo(40002);
        assertThat(stuck.get("detected_at").asText()).matches(ISO_MS);
        assertThat(stuck.get("to_state").isNull()).isTrue();
        assertThat(stuck.get("shutdown").asText()).isEqualTo("WR");
        assertThat(stuck.get("recv_q").asLong()).isZero();
        assertThat(stuck.get("send_q").asLong()).isZero();
        assertThat(stuck.get("entered_at_source").asText()).isEqualTo("KERNEL");
        assertThat(stuck.has("reap_at")).isTrue();
        assertThat(api.json("/api/anomalies?kind=RESOLVED,COLLECTOR_SILENT")).isEmpty();
        assertThat(api.json("/api/anomalies?kind=RESOLVED&kind=STUCK")).hasSize(1);
        assertThat(api.json("/api/anomalies?since=" + Instant.now().plusSeconds(60))).isEmpty();
        assertThat(api.json("/api/anomalies?since=1h&limit=1")).hasSize(1);
        assertThat(api.json("/api/anomalies?host=node-b")).isEmpty();
    }

    @Test
    void workloadsRankTheFleetByStuckThenOpenAndAnomaliesFilterByWorkload() throws Exception {
        JsonNode workloads = api.json("/api/workloads");
        assertThat(fields(workloads.get(0))).containsExactlyInAnyOrder("k8s_namespace", "kind", "name", "attached", "orphaned",
                "stuck", "stuck_attached", "hosts", "window", "count", "p50_ms", "p90_ms", "p99_ms", "max_ms", "stale");
        JsonNode proxy = workloads.get(0);
        assertThat(List.of(proxy.get("k8s_namespace").asText(), proxy.get("kind").asText(), proxy.get("name").asText()))
                .containsExactly("kube-system", "DaemonSet", "kube-proxy");
        assertThat(List.of(proxy.get("attached").asLong(), proxy.get("stuck").asLong(), proxy.get("hosts").asLong()))
                .containsExactly(2L, 1L, 1L);
        JsonNode web = null;
        for (JsonNode w : workloads) {
            web = w.get("name").asText().equals("web") ? w : web;
        }
        assertThat(web).as("web in %s", workloads).isNotNull();
        assertThat(List.of(web.get("attached").asLong(), web.get("stuck").asLong())).containsExactly(1L, 0L);
        // svc (a program in no pod) ended one episode after 1.5 s: the dwell of its workload; it holds nothing open now.
        JsonNode svc = null;
        for (JsonNode w : api.json("/api/workloads?window=all")) {
            svc = w.get("name").asText().equals("svc") && w.get("k8s_namespace").asText().isEmpty() ? w : svc;
        }
        assertThat(svc).as("svc in %s", workloads).isNotNull();
        assertThat(List.of(svc.get("count").asLong(), svc.get("attached").asLong(), svc.get("hosts").asLong())).containsExactly(1L, 0L, 0L);
        assertThat(svc.get("p99_ms").asLong()).isBetween(1500L, 1515L);
        assertThat(svc.get("window").asText()).isEqualTo("all");
        assertThat(api.json("/api/workloads?k8s_namespace=shop")).hasSize(1);
        assertThat(api.json("/api/workloads?limit=1")).hasSize(1);

        JsonNode stuck = api.json("/api/anomalies?k8s_namespace=kube-system&workload=kube-proxy");
        assertThat(stuck).hasSize(1);
        assertThat(stuck.get(0).get("pod").get("pod_name").asText()).isEqualTo("kube-proxy-x7k2p");
        assertThat(api.json("/api/anomalies?workload=web")).isEmpty();
        assertThat(api.json("/api/anomalies?k8s_namespace=")).isEmpty();
    }

    @Test
    void topProcessesRankTheFleetByAttachedOrP99() throws Exception {
        JsonNode byAttached = api.json("/api/top/processes?limit=2");
        assertThat(byAttached).hasSize(2);
        assertThat(byAttached.get(0).get("comm").asText()).isEqualTo("kube-proxy");
        assertThat(byAttached.get(1).get("attached").asLong()).isEqualTo(1);
        JsonNode byP99 = api.json("/api/top/processes?by=p99&window=1h");
        assertThat(byP99.get(0).get("host").asText()).isEqualTo("node-a");
        assertThat(byP99.get(0).get("pid").asInt()).isEqualTo(77);
        assertThat(byP99).hasSize(4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/api/hosts/node-a/processes?window=3y | window:",
            "/api/hosts/node-a/processes?window=8d | window:",
            "/api/top/processes?window=0m | window:",
            "/api/anomalies?limit=0 | limit:",
            "/api/anomalies?limit=1001 | limit:",
            "/api/top/processes?limit=ten | limit:",
            "/api/anomalies?kind=STUCK,BOGUS | kind:",
            "/api/anomalies?since=yesterday | since:",
            "/api/top/processes?by=p50 | by:",
            "/api/anomalies?limit=1&limit=2 | limit:"})
    void badParametersAre400sNamingTheParameter(String path, String named) throws Exception {
        HttpResponse<String> r = api.get(path);
        assertError(r, 400, "bad_request");
        assertThat(ApiClient.JSON.readTree(r.body()).get("message").asText()).startsWith(named);
    }

    @Test
    void errorsQuoteAShortPrefixOfWhatTheyWereGivenAndNameOnlyAskableKinds() throws Exception {
        String longHost = "h".repeat(5_000);
        HttpResponse<String> unknown = api.get("/api/hosts/" + longHost + "/finwait2");
        assertError(unknown, 404, "not_found");
        assertThat(unknown.body()).hasSizeLessThan(400).contains("hhhh…(5000 characters)");
        HttpResponse<String> kind = api.get("/api/anomalies?kind=" + "K".repeat(300));
        assertError(kind, 400, "bad_request");
        assertThat(ApiClient.JSON.readTree(kind.body()).get("message").asText())
                .contains("STUCK", "RESOLVED", "COLLECTOR_SILENT").doesNotContain("UNKNOWN").hasSizeLessThan(250);
        HttpResponse<String> tooLong = api.get("/api/hosts/" + "h".repeat(100_000) + "/finwait2");
        assertError(tooLong, 414, "uri_too_long");
        assertThat(tooLong.body()).hasSizeLessThan(300);
    }

    @Test
    void unknownHostsAndPathsAre404MethodsOtherThanGetAre405() throws Exception {
        assertError(api.get("/api/hosts/nobody/finwait2"), 404, "not_found");
        assertError(api.get("/api/hosts/nobody/processes"), 404, "not_found");
        assertError(api.get("/api/anomalies?host=nobody"), 404, "not_found");
        assertError(api.get("/api/nothing"), 404, "not_found");
        assertError(api.get("/nothing"), 404, "not_found");
        // Every instance serves the dashboard at "/", and only there.
        HttpResponse<String> page = api.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertError(api.get("/index.htm"), 404, "not_found");
        HttpResponse<String> post = api.send("/api/hosts", "POST", TOKEN);
        assertError(post, 405, "method_not_allowed");
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> head = api.send("/api/hosts", "HEAD", TOKEN);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }

    @Test
    void everythingButHealthNeedsTheToken() throws Exception {
        for (String path : List.of("/api/hosts", "/metrics", "/api/hosts/node-a/finwait2", "/nothing")) {
            HttpResponse<String> none = api.send(path, "GET", null);
            assertError(none, 401, "unauthorized");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertError(api.send(path, "GET", TOKEN + "x"), 401, "unauthorized");
            assertError(api.send(path, "GET", "short"), 401, "unauthorized");
        }
        assertThat(api.send("/healthz", "GET", null).statusCode()).isEqualTo(200);
        assertThat(api.send("/metrics", "GET", TOKEN).body()).contains("finwatch_streams_open_fin_wait2");
    }

    @Test
    void plainHttpToTheTlsPortGetsNoAnswer() {
        ApiClient plain = new ApiClient(app.httpPort(), null, TOKEN);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plain.get("/healthz")).isInstanceOf(java.io.IOException.class);
    }

    /** Before Kafka Streams runs there is no owner to ask: 503 with Retry-After, for keyed and fleet-wide requests. */
    @Test
    void notRunningYetIs503WithRetryAfter() throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "never-started");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve("unstarted").toString());
        try (KafkaStreams created = new KafkaStreams(FinwatchTopology.buildTopology(StreamsSettings.defaults(), new DetectorMetrics(new SimpleMeterRegistry())), props);
             HttpEndpoint http = HttpEndpoint.bind(new HostPort("127.0.0.1", 0), "--http", HttpLimits.api())) {
            QueryRouter router = new QueryRouter(created, new HostInfo("127.0.0.1", 1), 3, "transitions", new Forwarder(null, null, Duration.ofSeconds(1)));
            http.limitedRoute(ApiRoutes.PATH_SPEC, new ApiRoutes(router, java.time.Clock.systemUTC())).start();
            ApiClient client = new ApiClient(http.port(), null, null);
            for (String path : List.of("/api/hosts", "/api/hosts/node-a/finwait2", "/api/anomalies?host=node-a", "/api/top/processes")) {
                HttpResponse<String> r = client.get(path);
                assertError(r, 503, "unavailable");
                assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(ApiClient.JSON.readTree(r.body()).get("retry_after_s").asInt()).isEqualTo(1);
            }
            // Parameters are parsed before anything else; a URI the JDK client would refuse to send goes raw.
            for (String query : List.of("since=%zz", "x=1&limit=%4")) {
                String answer = raw(http.port(), "GET /api/anomalies?" + query + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                assertThat(answer).startsWith("HTTP/1.1 400").contains("Content-Type: application/json; charset=utf-8")
                        .contains("\"error\":\"bad_request\"").containsPattern("\"message\":\"(since|limit): bad percent-encoding");
            }
        }
    }

    static String raw(int port, String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void assertError(HttpResponse<String> r, int status, String error) throws Exception {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        JsonNode body = ApiClient.JSON.readTree(r.body());
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("message").asText()).isNotBlank();
    }

    static Set<String> fields(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<String> names(JsonNode hosts) {
        List<String> out = new ArrayList<>();
        hosts.forEach(h -> out.add(h.get("host").asText()));
        return out;
    }

    static JsonNode find(JsonNode array, String field, long value) {
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            JsonNode n = it.next();
            if (n.get(field) != null && n.get(field).isNumber() && n.get(field).asLong() == value) {
                return n;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + array);
    }
}
