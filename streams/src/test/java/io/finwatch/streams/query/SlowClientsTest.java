package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.common.http.HttpLimits;
import io.finwatch.streams.testkit.RunningDetector;
import io.finwatch.testkit.SlowClients;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand real connections that each start a request and trickle it a byte at a time, against a running
 * detector: /healthz and the API keep answering meanwhile, and the server closes every one of them once the
 * request deadline passes (not the idle timeout: they are never idle).
 */
class SlowClientsTest {

    static final int SLOW = 1000;
    static final Duration DEADLINE = Duration.ofSeconds(4);

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    private int status(URI base, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aThousandIncompleteRequestsHoldNothingAndAreClosedAtTheDeadline() throws Exception {
        try (RunningDetector detector = RunningDetector.start(dir.resolve("state"), null, HttpLimits.api().withRequestTimeout(DEADLINE))) {
            URI base = detector.url();
            await().atMost(Duration.ofSeconds(60)).until(() -> status(base, "/api/hosts") == 200);

            long t0 = System.nanoTime();
            try (SlowClients slow = SlowClients.connect(base.getHost(), base.getPort(), SLOW,
                    "GET /api/hosts HTTP/1.1\r\nHost: detector\r\nX-Slow: ")) {
                List<Integer> openWhileAnswered = new ArrayList<>();
                await().atMost(DEADLINE.multipliedBy(2).plusSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    int open = slow.trickle();
                    assertThat(status(base, "/healthz")).isEqualTo(200);
                    assertThat(status(base, "/api/hosts")).isEqualTo(200);
                    openWhileAnswered.add(open);
                    return open == 0;
                });
                double seconds = (System.nanoTime() - t0) / 1e9;

                assertThat(openWhileAnswered.get(0)).as("every slow client held its connection at first").isEqualTo(SLOW);
                assertThat(openWhileAnswered).as("answers while all of them were open").filteredOn(n -> n == SLOW).hasSizeGreaterThan(1);
                assertThat(seconds).as("closed by the request deadline, not left open").isLessThan(DEADLINE.toSeconds() * 1.2 + 10);
                String metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern("finwatch_http_request_timeouts_total 1\\d{3}\\.0");
            }
        }
    }
}
