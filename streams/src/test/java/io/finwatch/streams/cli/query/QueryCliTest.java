package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.common.config.Converters;
import io.finwatch.common.config.LayeredDefaults;
import io.finwatch.streams.cli.StreamsMain;
import io.finwatch.streams.cli.query.FakeApi.Reply;
import io.finwatch.streams.cli.query.QueryRun.Result;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./finwatch query} against a fake API on a real socket: tables, JSON passthrough, errors and exit codes. */
class QueryCliTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:16:00Z"), ZoneOffset.UTC);
    static final Map<String, String> NO_ENV = Map.of();

    FakeApi api;

    @BeforeEach
    void start() throws IOException {
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    Result query(String... args) {
        return query(NO_ENV, args);
    }

    Result query(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = api.url().toString();
        return QueryRun.run(env, CLOCK, all);
    }

    @Test
    void hostsAreAnAlignedTableWithRelativeLastSeenAndStaleMarked() {
        api.onFile("/api/hosts", "hosts.json");

        Result r = query("hosts");

        assertThat(r.exitCode()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("""
                HOST                      FIN_WAIT2  ATTACHED  ORPHANED  SOCKETS  LAST SEEN  COLLECTOR
                node-17                           3         2         1      812  1s ago     0.1.0, every 1s
                edge-gateway-01.eu-west*          0         0         0        4  6m ago     SILENT since 10:10:05
                * stale: read from a standby replica or a store still restoring; it may lag the active copy
                """);
    }

    @Test
    void anomaliesShowLocalTimesAndDashesForACollectorSilentsNullSocket() {
        api.onFile("/api/anomalies", "anomalies.json");

        Result r = query("anomalies");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                DETECTED              KIND              REASON                     HOST                      PID  COMM        POD                                   OWNER     LOCAL           REMOTE          DWELL  FROM    SHUT  STATE      VERDICT            PEER
                10:15:50              COLLECTOR_SILENT  HEARTBEATS_STOPPED         edge-gateway-01.eu-west     -  -           -                                     -         -               -                   -  -       -     -          -                  -
                10:15:00              STUCK             ATTACHED_PAST_FIN_TIMEOUT  node-17                  4242  kube-proxy  kube-system/kube-proxy-x7k2p          attached  10.0.0.5:34567  10.0.0.9:443       1m  kernel  WR    FIN_WAIT2  PEER_NEVER_CLOSED  5150/apiserver@node-9 10.0.0.9:443
                2026-11-21 23:01:05*  RESOLVED          LEFT_FIN_WAIT2             db-3                       77  postgres    5e6f7a8b-0000-4111-8222-999900001111  orphaned  10.0.0.7:5432   10.0.0.8:40000   1m5s  poll    -     -          -                  -
                * stale: read from a standby replica or a store still restoring; it may lag the active copy
                """);
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("limit=100"));
    }

    @Test
    void workloadsAreRankedWithTheirNamespaceAndKind() {
        api.on("/api/workloads", Reply.json("""
                [{"k8s_namespace": "shop", "kind": "Deployment", "name": "web", "attached": 4, "orphaned": 1, "stuck": 3,
                  "stuck_attached": 3, "hosts": 2, "window": "6h", "count": 118, "p50_ms": 40, "p90_ms": 950, "p99_ms": 61000,
                  "max_ms": 3600000, "stale": false},
                 {"k8s_namespace": "", "kind": "", "name": "envoy", "attached": 0, "orphaned": 2, "stuck": 2,
                  "stuck_attached": 0, "hosts": 1, "window": "6h", "count": 0, "p50_ms": null, "p90_ms": null, "p99_ms": null,
                  "max_ms": null, "stale": true}]"""));

        Result r = query("workloads", "--k8s-namespace", "shop", "--window", "6h", "--limit", "5");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("""
                NAMESPACE  WORKLOAD        STUCK  ATTACHED  ORPHANED  HOSTS  ENDED   P50   P99  MAX
                shop       Deployment/web      3         4         1      2    118  40ms  1m1s   1h
                -*         envoy               2         0         2      1      0     -     -    -
                """);
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("k8s_namespace=shop&window=6h&limit=5"));
    }

    @Test
    void anomaliesOfOneWorkload() {
        api.on("/api/anomalies", Reply.json("[]"));
        Result r = query("anomalies", "--k8s-namespace", "shop", "--workload", "web");
        assertThat(r.exitCode()).isZero();
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("k8s_namespace=shop&workload=web&limit=100"));
    }

    @Test
    void anomalyFiltersBecomeQueryParameters() {
        api.on("/api/anomalies", Reply.json("[]"));

        Result r = query("anomalies", "--host", "node-17", "--kind", "stuck,resolved", "--kind", "STUCK", "--since", "10m", "--limit", "5");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("no anomalies since 10m\n");
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("host=node-17&kind=STUCK%2CRESOLVED&since=10m&limit=5"));
    }

    @Test
    void finwait2EncodesTheHostAndShowsDwellDeadlineAndOwner() {
        api.onFile("/api/hosts/node%2017/finwait2", "finwait2.json");

        Result r = query("finwait2", "node 17");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(3);
        assertThat(r.out().lines().toList().get(0)).startsWith("LOCAL").contains("DWELL", "FROM", "DEADLINE", "REAP_AT", "STUCK");
        // The dwell counts from the kernel's time, and an attached socket has no reap time.
        assertThat(r.out().lines().toList().get(1))
                .contains("10.0.0.5:34567", "10.0.0.9:443", "4242", "kube-proxy", "attached", "1m30s  kernel", "60s", "30s ago   -",
                        "STUCK", "c0ffee001122")
                .matches(".*  WR +0$")
                .doesNotContain("c0ffee0011223");
        // The orphan's dwell from the poll that first saw it, and the kernel's reap time.
        assertThat(r.out().lines().toList().get(2)).contains("[fd00::5]:8443", "[fd00::9]:51000", "orphaned", "4.5s  poll", "in 55s    in 55s");
        // Right-aligned: the dwell cells end where the header's DWELL ends.
        int end = r.out().lines().toList().get(0).indexOf("DWELL") + "DWELL".length();
        assertThat(r.out().lines().skip(1)).allSatisfy(l -> assertThat(l.substring(0, end)).matches(".*\\S$"));
    }

    @Test
    void processesAskForTheWindowAndShowPercentiles() {
        api.onFile("/api/hosts/node-17/processes", "processes.json");

        Result r = query("processes", "node-17", "--window", "6h");

        assertThat(r.exitCode()).isZero();
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("window=6h"));
        assertThat(r.out()).isEqualTo("""
                 PID  COMM        ATTACHED  ORPHANED  ENDED/6h  P50   P90   P99   MAX
                4242  kube-proxy         2         0        57   1s  1.5s  1m1s  2h3m
                  -*  -                  0         1         0    -     -     -     -
                * stale: read from a standby replica or a store still restoring; it may lag the active copy
                """);
    }

    @Test
    void topAsksByP99WithItsLimitAndNamesHosts() {
        api.onFile("/api/top/processes", "top.json");

        Result r = query("top", "--by", "p99", "--limit", "5", "--window", "1h");

        assertThat(r.exitCode()).isZero();
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.query()).isEqualTo("by=p99&limit=5&window=1h"));
        assertThat(r.out().lines().toList()).hasSize(3);
        assertThat(r.out().lines().toList().get(1)).startsWith("node-17").contains("4242", "kube-proxy", "1m1s");
        assertThat(r.out().lines().toList().get(2)).startsWith("db-3").contains("postgres", "850ms", "900ms");
    }

    @Test
    void jsonPrintsTheApisBodyAsItCame() {
        String body = FakeApi.resource("hosts.json");
        api.on("/api/hosts", Reply.json(body));

        Result r = query("hosts", "--json");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo(body + "\n");
    }

    @Test
    void theTokenComesFromTheEnvironmentAndIsNeverPrinted() {
        api.requireToken("s3cret-token").onFile("/api/hosts", "hosts.json");

        Result r = query(Map.of("FINWATCH_HTTP_TOKEN", "s3cret-token"), "hosts");

        assertThat(r.exitCode()).isZero();
        assertThat(api.seen()).singleElement().satisfies(s -> assertThat(s.authorization()).isEqualTo("Bearer s3cret-token"));
        assertThat(r.out() + r.err()).doesNotContain("s3cret");
    }

    @Test
    void unauthorizedIsOneLineWithTheStatusAndHowToFixIt() {
        api.requireToken("s3cret-token").onFile("/api/hosts", "hosts.json");

        Result missing = query("hosts");
        Result wrong = query(Map.of("FINWATCH_HTTP_TOKEN", "guess"), "hosts");

        assertThat(missing.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).isEqualTo("finwatch: this endpoint needs Authorization: Bearer <token> (--http-token) (HTTP 401 unauthorized);"
                + " set FINWATCH_HTTP_TOKEN to the token the API was started with\n");
        assertThat(wrong.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(wrong.err()).doesNotContain("guess").contains("HTTP 401");
    }

    @Test
    void unknownHostIsTheApisMessageWith404() {
        api.on("/api/hosts/ghost/finwait2", Reply.error(404, "not_found", "unknown host 'ghost'", Map.of()));

        Result r = query("finwait2", "ghost");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(r.err()).isEqualTo("finwatch: unknown host 'ghost' (HTTP 404 not_found)\n");
    }

    @Test
    void unavailableSaysWhenToRetry() {
        api.on("/api/hosts", new Reply(503, Map.of("Retry-After", "3"),
                "{\"status\":503,\"error\":\"unavailable\",\"message\":\"kafka streams is REBALANCING\",\"retry_after_s\":3}"));

        Result r = query("hosts");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(r.err()).isEqualTo("finwatch: kafka streams is REBALANCING (HTTP 503 unavailable); retry in 3 s\n");
    }

    @Test
    void anErrorPageThatIsNotTheApisJsonStillGivesOneLine() {
        api.on("/api/hosts", new Reply(502, Map.of("Content-Type", "text/html"), "<html>\n<body>Bad Gateway</body>\n</html>\n"));

        Result r = query("hosts");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(r.err()).isEqualTo("finwatch: the server answered 502: <html> <body>Bad Gateway</body> </html> (HTTP 502)\n");
    }

    @Test
    void nothingListeningNamesTheUrlAndHowToStartTheApi() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        Result r = QueryRun.run(NO_ENV, CLOCK, "hosts", "--url", "http://127.0.0.1:" + port);

        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("finwatch: cannot reach the finwatch API at http://127.0.0.1:" + port + " (connection refused)")
                .contains("./finwatch streams", "./finwatch local", "FINWATCH_URL");
    }

    @Test
    void theUrlDefaultsFromFinwatchUrlThroughTheUsualLayering() throws IOException {
        api.on("/api/hosts", Reply.json("[]"));
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new StreamsMain())
                .registerConverter(Duration.class, Converters::duration)
                .setDefaultValueProvider(new LayeredDefaults(null, Map.of("FINWATCH_URL", api.url().toString())))
                .setOut(new PrintWriter(out, true));

        assertThat(cl.execute("query", "hosts")).isZero();
        assertThat(out.toString()).isEqualTo("no host has reported yet\n");
        assertThat(api.seen()).hasSize(1);
    }

    @Test
    void usageErrorsExitWith2BeforeAskingTheApi() {
        assertThat(query("top", "--limit", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("anomalies", "--limit", "1001").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("top", "--by", "p95").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("anomalies", "--kind", "LOST").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("finwait2").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("nodes").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(QueryRun.run(NO_ENV, CLOCK, "hosts", "--url", "ftp://127.0.0.1:8080").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(query("hosts", "--truststore", "/nonexistent/trust.p12").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(QueryRun.run(NO_ENV, CLOCK).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(api.seen()).isEmpty();
    }
}
