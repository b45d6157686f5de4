package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.buffer.ChildJvm;
import io.finwatch.collector.cli.CollectorMain;
import io.finwatch.testkit.EmbeddedKafka;
import io.finwatch.testkit.FreePort;
import io.finwatch.testkit.SlowClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's /metrics and /healthz, as {@code finwatch collect} serves them, under a thousand real connections
 * that each trickle an unfinished request: both keep answering, and the server closes every slow connection at its
 * request deadline (10 s), although none of them is ever idle.
 */
class MetricsEndpointSlowClientsTest {

    static final int SLOW = 1000;
    static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aThousandIncompleteRequestsNeitherBlockHealthNorMetricsAndAreClosedAtTheDeadline() throws Exception {
        int port = FreePort.belowEphemeralRange();
        URI base = URI.create("http://127.0.0.1:" + port);
        Path log = Files.createTempFile(Files.createDirectories(Path.of("target/child-logs")), "collector-slow", ".log");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            Process collector = ChildJvm.start(CollectorMain.class, log, "collect", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--buffer-dir", dir.resolve("buffer").toString(), "--metrics", "127.0.0.1:" + port);
            try {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(base.resolve("/healthz")).statusCode() == 200);
                long t0 = System.nanoTime();
                try (SlowClients slow = SlowClients.connect("127.0.0.1", port, SLOW, "GET /metrics HTTP/1.1\r\nHost: c\r\nX-Slow: ")) {
                    List<Integer> openWhileAnswered = new ArrayList<>();
                    await().atMost(DEADLINE.multipliedBy(2).plusSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                        int open = slow.trickle();
                        assertThat(get(base.resolve("/healthz")).statusCode()).isEqualTo(200);
                        assertThat(get(base.resolve("/metrics")).statusCode()).isEqualTo(200);
                        openWhileAnswered.add(open);
                        return open == 0;
                    });
                    double seconds = (System.nanoTime() - t0) / 1e9;

                    assertThat(openWhileAnswered.get(0)).as("every slow client held its connection at first").isEqualTo(SLOW);
                    assertThat(openWhileAnswered).as("answers while all of them were open").filteredOn(n -> n == SLOW).hasSizeGreaterThan(1);
                    assertThat(seconds).as("closed by the request deadline").isLessThan(DEADLINE.toSeconds() * 1.2 + 10);
                    assertThat(get(base.resolve("/metrics")).body()).containsPattern("finwatch_http_request_timeouts_total 1\\d{3}\\.0");
                }
            } finally {
                collector.destroyForcibly().waitFor();
            }
        }
    }
}
