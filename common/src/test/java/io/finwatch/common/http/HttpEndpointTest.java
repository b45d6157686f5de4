package io.finwatch.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.finwatch.common.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
    private static final HostPort ANY = new HostPort("127.0.0.1", 0);
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends raw bytes and reads the whole answer (the server closes after an error). */
    private static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void servesPrometheusMetricsAndHealthThatFollowsTheSupplier() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("finwatch_test_events").increment(3);
        AtomicBoolean up = new AtomicBoolean(true);
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--metrics", HttpLimits.metricsOnly())) {
            MetricsRoutes.install(http, registry, () -> new MetricsRoutes.Health(up.get(), up.get() ? "polling" : "stalled"));
            http.start();

            HttpResponse<String> metrics = get(http.port(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("finwatch_test_events_total 3.0").contains("finwatch_http_request_timeouts_total 0.0");

            assertThat(get(http.port(), "/healthz").statusCode()).isEqualTo(200);
            up.set(false);
            HttpResponse<String> down = get(http.port(), "/healthz");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("stalled");
            assertThat(down.headers().firstValue("Server")).isEmpty();
        }
    }

    @Test
    void aPortInUseIsAClearErrorNamingTheOption() {
        try (HttpEndpoint first = HttpEndpoint.bind(ANY, "--http", HttpLimits.metricsOnly())) {
            HostPort taken = new HostPort("127.0.0.1", first.port());
            assertThatThrownBy(() -> HttpEndpoint.bind(taken, "--http", HttpLimits.metricsOnly()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(taken + " is already in use")
                    .hasMessageContaining("--http");
        }
    }

    @Test
    void malformedAndOversizedRequestsAreShortJsonErrors() throws Exception {
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--http", HttpLimits.metricsOnly())) {
            http.route("/", (req, rsp, cb) -> HttpEndpoint.respond(req, rsp, cb, 200, "text/plain", "ok")).start();
            String longPath = "/" + "h".repeat(100_000);

            String tooLong = raw(http.port(), "GET " + longPath + " HTTP/1.1\r\nHost: x\r\n\r\n");
            String bigHeader = raw(http.port(), "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "v".repeat(20_000) + "\r\n\r\n");
            String badEncoding = raw(http.port(), "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n");
            String garbage = raw(http.port(), "NOT HTTP AT ALL\r\n\r\n");

            assertThat(tooLong).startsWith("HTTP/1.1 414").contains("Content-Type: application/json")
                    .contains("\"error\":\"uri_too_long\"").doesNotContain("hhhhhhhhhh");
            assertThat(bigHeader).startsWith("HTTP/1.1 431").contains("\"status\":431").doesNotContain("vvvvvvvvvv");
            assertThat(badEncoding).startsWith("HTTP/1.1 400").contains("{\"status\":400,\"error\":\"bad_request\",\"message\":");
            assertThat(garbage).startsWith("HTTP/1.1 400").contains("\"error\":\"bad_request\"");
            for (String answer : List.of(tooLong, bigHeader, badEncoding, garbage)) {
                assertThat(answer.length()).as(answer).isLessThan(1000);
                assertThat(answer).doesNotContain("<html");
            }
        }
    }

    @Test
    void anIncompleteRequestIsClosedAtTheDeadlineEvenWhileItTrickles() throws Exception {
        HttpLimits limits = HttpLimits.metricsOnly().withRequestTimeout(Duration.ofMillis(600));
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--metrics", limits)) {
            http.route("/", (req, rsp, cb) -> HttpEndpoint.respond(req, rsp, cb, 200, "text/plain", "ok")).start();
            try (Socket slow = new Socket("127.0.0.1", http.port()); Socket silent = new Socket("127.0.0.1", http.port())) {
                OutputStream out = slow.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                long t0 = System.nanoTime();
                // A byte every 100 ms: the 30 s idle timeout would never fire.
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    try {
                        out.write('x');
                        out.flush();
                        return false;
                    } catch (java.io.IOException closed) {
                        return true;
                    }
                });
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(600);
                silent.setSoTimeout(5_000);
                assertThat(silent.getInputStream().read()).as("a connection that never sends a byte").isEqualTo(-1);
                assertThat(http.closedForRequestTimeout()).isEqualTo(2);
            }
        }
    }

    @Test
    void aKeptAliveConnectionAndASlowAnswerAreNotCut() throws Exception {
        HttpLimits limits = HttpLimits.metricsOnly().withRequestTimeout(Duration.ofMillis(300));
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--metrics", limits)) {
            http.route("/slow", (req, rsp, cb) -> {
                TimeUnit.MILLISECONDS.sleep(1200);
                HttpEndpoint.respond(req, rsp, cb, 200, "text/plain", "late");
            }).start();
            HttpResponse<String> r = get(http.port(), "/slow");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("late");
            assertThat(http.closedForRequestTimeout()).isZero();
        }
    }

    @Test
    void healthKeepsAnsweringWhileTheLimitedRoutesAreSaturated() throws Exception {
        HttpLimits limits = HttpLimits.api().withApiRequests(2, Duration.ofMillis(500));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(2);
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--http", limits)) {
            MetricsRoutes.install(http, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> new MetricsRoutes.Health(true, "ok"));
            http.limitedRoute("/api/*", (req, rsp, cb) -> {
                entered.countDown();
                release.await(30, TimeUnit.SECONDS);
                HttpEndpoint.respond(req, rsp, cb, 200, HttpEndpoint.JSON, "[]");
            }).start();
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/api/x")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            assertThat(entered.await(10, TimeUnit.SECONDS)).as("both API requests are being answered").isTrue();
            HttpResponse<String> queued = get(http.port(), "/api/y");
            assertThat(queued.statusCode()).isEqualTo(503);
            assertThat(queued.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(queued.body()).contains("\"error\":\"unavailable\"");
            assertThat(get(http.port(), "/healthz").statusCode()).isEqualTo(200);
            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void headAnswersHeadersOnly() throws Exception {
        try (HttpEndpoint http = HttpEndpoint.bind(ANY, "--http", HttpLimits.metricsOnly())) {
            http.route("/", (req, rsp, cb) -> HttpEndpoint.respond(req, rsp, cb, 200, "text/plain", "body")).start();
            HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValue("Content-Length")).hasValue("4");
        }
    }
}
