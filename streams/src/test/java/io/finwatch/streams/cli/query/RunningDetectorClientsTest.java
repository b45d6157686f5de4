package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.cli.query.QueryRun.Result;
import io.finwatch.streams.dashboard.HeadlessChromium;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.RunningDetector;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query CLI and the dashboard against one real detector on a real broker: a collector's events make
 * kube-proxy (pid 4242) on ui-node-1 hold a FIN_WAIT2 socket past a 1 s fin timeout, so the detector's stores
 * hold a STUCK anomaly; both clients must name that host, pid and process.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunningDetectorClientsTest {

    static final String HOST = "ui-node-1";
    static final Proc KUBE_PROXY = new Proc(4242, "kube-proxy", null);
    static final Proc SVC = new Proc(77, "svc", null);
    static final Map<String, String> NO_ENV = Map.of();

    @TempDir
    static Path work;

    RunningDetector detector;
    CollectorRun run;

    @BeforeAll
    void start() {
        detector = RunningDetector.start(work.resolve("state"), null);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        run = new CollectorRun(HOST, HOST + "-run", now, 1000, 60);
        CollectorRun quiet = new CollectorRun("ui-node-2", "ui-node-2-run", now, 1000, 60);
        detector.send(List.of(
                run.heartbeat(Map.of("ESTABLISHED", 10L, "FIN_WAIT2", 2L), 1, 0),
                run.finTimeout(1).attached(run.socket(40001), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY),
                // An episode that ended after 1.5 s: what the dwell percentiles are made of.
                run.finTimeout(60).attached(run.socket(40004), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, SVC),
                run.at(now.plusMillis(1500)).gone(run.socket(40004), TcpState.FIN_WAIT2),
                quiet.heartbeat()));
        // The hosts sit on different partitions, processed independently: wait for both, and for the STUCK.
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Result r = query("anomalies", "--host", HOST, "--kind", "STUCK");
            return r.exitCode() == 0 && r.out().contains("kube-proxy") && query("hosts").out().contains("ui-node-2");
        });
    }

    @AfterAll
    void stop() {
        if (detector != null) {
            detector.close();
        }
    }

    Result query(String... args) {
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--url", detector.url().toString())).toArray(String[]::new);
        return QueryRun.run(NO_ENV, Clock.systemDefaultZone(), all);
    }

    @Test
    void anomaliesNameTheStuckSocketsHostPidAndProcess() {
        Result r = query("anomalies", "--host", HOST);

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines().toList().get(0)).startsWith("DETECTED").contains("KIND", "HOST", "PID", "COMM");
        assertThat(r.out().lines().filter(l -> l.contains("STUCK")).toList()).singleElement().satisfies(l -> assertThat(l)
                .contains("ATTACHED_PAST_FIN_TIMEOUT", HOST, "4242", "kube-proxy", "attached", "127.0.0.1:40001", "127.0.0.1:8080"));
    }

    @Test
    void hostsFinwait2AndTopShowTheHostAndTheLeakingProcess() {
        Result hosts = query("hosts");
        Result sockets = query("finwait2", HOST);
        Result top = query("top");

        assertThat(hosts.exitCode()).as(hosts.err()).isZero();
        assertThat(hosts.out().lines().toList().get(1)).as("most open FIN_WAIT2 first").startsWith(HOST).contains("test, every 1s");
        assertThat(hosts.out()).contains("ui-node-2");
        assertThat(sockets.exitCode()).as(sockets.err()).isZero();
        assertThat(sockets.out().lines().filter(l -> l.contains("40001")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("4242", "kube-proxy", "attached", "1s", "STUCK"));
        assertThat(top.exitCode()).as(top.err()).isZero();
        assertThat(top.out().lines().toList().get(1)).startsWith(HOST).contains("4242", "kube-proxy");
    }

    @Test
    void processesShowTheDwellOfTheEpisodeThatEnded() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> query("processes", HOST, "--window", "1h").out().lines().anyMatch(l -> l.contains("svc") && l.contains("1.5s")));

        Result r = query("processes", HOST, "--window", "1h");

        assertThat(r.out().lines().filter(l -> l.contains(" svc ")).toList()).singleElement()
                .satisfies(l -> assertThat(l.trim().split("\\s+")).containsExactly("77", "svc", "0", "0", "1", "1.5s", "1.5s", "1.5s", "1.5s"));
    }

    @Test
    void jsonIsTheApisBodyUnchanged() throws Exception {
        Result r = query("anomalies", "--host", HOST, "--json");
        HttpResponse<String> direct = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(detector.url().resolve("/api/anomalies?host=" + HOST + "&limit=100")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(direct.body() + "\n");
        JsonNode stuck = new ObjectMapper().readTree(r.out()).get(0);
        assertThat(stuck.get("pid").asInt()).isEqualTo(4242);
        assertThat(stuck.get("comm").asText()).isEqualTo("kube-proxy");
    }

    @Test
    void anUnknownHostIsA404FromTheRealApi() {
        Result r = query("finwait2", "no-such-host");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(r.err()).startsWith("finwatch: ").contains("no-such-host", "(HTTP 404 not_found)").hasLineCount(1);
    }

    @Test
    void followPrintsEachAnomalyOnceAndNewOnesAsTheyAreDetected() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> exit.set(QueryRun.commandLine(NO_ENV, Clock.systemDefaultZone(), new PrintWriter(out, true),
                new PrintWriter(err, true)).execute("anomalies", "--follow", "--interval", "200ms", "--host", HOST, "--url", detector.url().toString())));
        follower.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("127.0.0.1:40001"));
            detector.send(List.of(run.at(Instant.now().truncatedTo(ChronoUnit.MILLIS)).finTimeout(1)
                    .attached(run.socket(40005), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, KUBE_PROXY)));

            await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("127.0.0.1:40005"));
        } finally {
            follower.interrupt();
            follower.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(follower.isAlive()).isFalse();
        assertThat(exit.get()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("DETECTED");
        assertThat(lines.stream().filter(l -> l.startsWith("DETECTED"))).as("one header").hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("127.0.0.1:40001"))).as("printed once though every poll returns it").hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("127.0.0.1:40005"))).singleElement()
                .satisfies(l -> assertThat(l).contains("STUCK", "4242", "kube-proxy"));
        assertThat(lines.indexOf(lines.stream().filter(l -> l.contains("40005")).findFirst().orElseThrow()))
                .isGreaterThan(lines.indexOf(lines.stream().filter(l -> l.contains("40001")).findFirst().orElseThrow()));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void dashboardInChromiumShowsTheHostTheProcessAndTheStuckAnomaly() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require(Files.createDirectories(Path.of("target", "dashboard")));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String dom = chromium.dumpDom(detector.url(), 5000);
            assertThat(dom).contains("data-state=\"ok\"");
            assertThat(dom).containsPattern("<g data-host=\"" + HOST + "\" data-attached=\"\\d+\" data-orphaned=\"0\">");
            assertThat(dom).containsPattern("<tr data-host=\"" + HOST + "\" data-pid=\"4242\" data-comm=\"kube-proxy\"");
            assertThat(dom).containsPattern("<li data-anomaly-id=\"[^\"]+\" data-kind=\"STUCK\" data-host=\"" + HOST + "\" data-pid=\"4242\" data-comm=\"kube-proxy\"");
            assertThat(dom).containsPattern("data-host=\"" + HOST + "\" data-pid=\"77\" data-comm=\"svc\" data-p50-ms=\"15\\d\\d\"");
        });
        chromium.screenshot(detector.url(), Path.of("target", "dashboard.png"), 5000);
    }
}
