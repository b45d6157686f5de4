package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.streams.cli.query.QueryRun.Result;
import io.finwatch.streams.dashboard.HeadlessChromium;
import io.finwatch.streams.testkit.RunningDetector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real detector started with {@code --http-token}: the CLI takes the token from FINWATCH_HTTP_TOKEN only and
 * never shows it; the dashboard page itself loads without one (a browser cannot send it) and asks for it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenProtectedDetectorTest {

    static final String TOKEN = "ui-token-5f2c";

    @TempDir
    static Path work;

    RunningDetector detector;

    @BeforeAll
    void start() {
        detector = RunningDetector.start(work.resolve("state"), TOKEN);
    }

    @AfterAll
    void stop() {
        if (detector != null) {
            detector.close();
        }
    }

    Result query(Map<String, String> env, String... args) {
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--url", detector.url().toString())).toArray(String[]::new);
        return QueryRun.run(env, Clock.systemDefaultZone(), all);
    }

    @Test
    void theCliSendsTheTokenFromTheEnvironmentAndNeverPrintsIt() {
        Result without = query(Map.of(), "hosts");
        Result wrong = query(Map.of("FINWATCH_HTTP_TOKEN", TOKEN + "x"), "hosts");

        assertThat(without.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(without.err()).contains("(HTTP 401 unauthorized)", "FINWATCH_HTTP_TOKEN").hasLineCount(1);
        assertThat(wrong.exitCode()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(wrong.err()).contains("HTTP 401").doesNotContain(TOKEN);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            Result with = query(Map.of("FINWATCH_HTTP_TOKEN", TOKEN), "hosts");
            assertThat(with.exitCode()).as(with.err()).isZero();
            assertThat(with.out() + with.err()).doesNotContain(TOKEN);
        });
    }

    @Test
    void theDashboardPageLoadsWithoutTheTokenUnderAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(detector.url()).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(detector.url().resolve("/api/hosts")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).startsWith("default-src 'none'; script-src 'sha256-").contains("connect-src 'self'").doesNotContain("unsafe"));
        assertThat(page.body()).contains("id=\"anomaly-feed\"").doesNotContain(TOKEN);
        assertThat(api.statusCode()).as("only the page is open, not the data").isEqualTo(401);
    }

    @Test
    void theDashboardAsksForTheToken() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require(Files.createDirectories(Path.of("target", "dashboard")));

        String dom = chromium.dumpDom(detector.url(), 5000);

        assertThat(dom).containsPattern("id=\"banner\"[^>]*data-state=\"unauthorized\">The API requires a token");
        assertThat(dom).contains("<form id=\"token-form\">");
    }
}
