package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.streams.cli.query.FakeApi.Reply;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code anomalies --follow} against a fake API whose answers change: dedupe, the moving {@code since}, outages. */
class AnomalyFollowTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:16:00Z"), ZoneOffset.UTC);
    static final String OLD = anomaly("a-1", "STUCK", "2026-11-22T10:15:00.512Z", 34567);
    static final String NEW = anomaly("a-2", "RESOLVED", "2026-11-22T10:15:40.000Z", 34999);

    FakeApi api;
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger exit = new AtomicInteger(-1);
    Thread follower;

    static String anomaly(String id, String kind, String detectedAt, int port) {
        return "{\"anomaly_id\":\"" + id + "\",\"kind\":\"" + kind + "\",\"reason\":\"ATTACHED_PAST_FIN_TIMEOUT\",\"host\":\"node-17\",\"netns\":1,"
                + "\"local_ip\":\"10.0.0.5\",\"local_port\":" + port + ",\"remote_ip\":\"10.0.0.9\",\"remote_port\":443,\"pid\":4242,"
                + "\"comm\":\"kube-proxy\",\"container_id\":null,\"orphaned\":false,\"entered_at\":\"2026-11-22T10:14:00.000Z\","
                + "\"detected_at\":\"" + detectedAt + "\",\"dwell_ms\":60512,\"fin_timeout_s\":60,\"stale\":false}";
    }

    @BeforeEach
    void start() throws Exception {
        api = new FakeApi();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (follower != null) {
            follower.interrupt();
            follower.join(Duration.ofSeconds(30).toMillis());
        }
        api.close();
    }

    void follow(String... extra) {
        List<String> args = new ArrayList<>(List.of("anomalies", "--follow", "--interval", "100ms", "--url", api.url().toString()));
        args.addAll(List.of(extra));
        follower = new Thread(() -> exit.set(QueryRun.commandLine(Map.of(), CLOCK, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new))));
        follower.start();
    }

    long linesWith(String s) {
        return out.toString().lines().filter(l -> l.contains(s)).count();
    }

    @Test
    void printsEachAnomalyOnceOldestFirstAndRidesOutAnOutage() throws Exception {
        api.on("/api/anomalies", Reply.json("[" + OLD + "]"));
        follow();
        await().atMost(Duration.ofSeconds(20)).until(() -> linesWith("10.0.0.5:34567") == 1 && api.seen().size() >= 3);

        api.on("/api/anomalies", new Reply(503, Map.of("Retry-After", "0"),
                "{\"status\":503,\"error\":\"unavailable\",\"message\":\"kafka streams is REBALANCING\",\"retry_after_s\":0}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> err.toString().contains("REBALANCING"));
        int during = api.seen().size();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.seen().size() >= during + 3);
        api.on("/api/anomalies", Reply.json("[" + NEW + "," + OLD + "]"));
        String since = "since=2026-11-22T10%3A15%3A10Z&limit=1000";
        await().atMost(Duration.ofSeconds(20)).until(() -> linesWith("10.0.0.5:34999") == 1 && err.toString().contains("answers again")
                && api.seen().get(api.seen().size() - 1).query().equals(since));

        assertThat(linesWith("10.0.0.5:34567")).as("a-1 was in every answer, printed once").isEqualTo(1);
        assertThat(out.toString().lines().filter(l -> l.startsWith("DETECTED")).count()).isEqualTo(1);
        assertThat(out.toString().indexOf("34567")).isLessThan(out.toString().indexOf("34999"));
        assertThat(err.toString().lines().filter(l -> l.contains("REBALANCING")).toList()).as("one line per outage, not per poll").singleElement()
                .satisfies(l -> assertThat(l).contains("HTTP 503", "still following"));
        // The first request asks for the newest page; later ones only for what is new, from 30 s before the newest seen.
        List<FakeApi.Seen> seen = api.seen();
        assertThat(seen.get(0).query()).isEqualTo("limit=100");
        assertThat(seen.get(1).query()).isEqualTo("since=2026-11-22T10%3A14%3A30.512Z&limit=1000");
        assertThat(seen.get(seen.size() - 1).query()).isEqualTo(since);
        assertThat(follower.isAlive()).isTrue();
    }

    @Test
    void jsonFollowPrintsOneCompactObjectPerLine() {
        api.on("/api/anomalies", Reply.json("[" + NEW + "," + OLD + "]"));

        follow("--json", "--host", "node-17");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(out.toString().lines()).as("stderr: %s", err).hasSize(2);
            assertThat(api.seen()).hasSizeGreaterThanOrEqualTo(3);
        });
        assertThat(out.toString().lines()).allSatisfy(l -> assertThat(new ObjectMapper().readTree(l).isObject()).isTrue());
        assertThat(out.toString().lines().map(l -> l.replaceAll(".*\"anomaly_id\":\"([^\"]+)\".*", "$1")).toList()).containsExactly("a-1", "a-2");
        assertThat(api.seen().get(0).query()).isEqualTo("host=node-17&limit=100");
    }

    @Test
    void aRefusalThatRetryingCannotFixEndsTheFollowWithItsExitCode() {
        api.requireToken("needed");

        follow();

        await().atMost(Duration.ofSeconds(20)).until(() -> !follower.isAlive());
        assertThat(exit.get()).isEqualTo(ExitCodes.API_ERROR);
        assertThat(err.toString()).contains("HTTP 401 unauthorized").hasLineCount(1);
    }
}
