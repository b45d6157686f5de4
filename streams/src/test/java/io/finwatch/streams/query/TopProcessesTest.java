package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.RunningDetector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top processes by attached read the dwell of only the processes that can make the cut. When few can (here one
 * process above four that hold only orphans), each candidate's histograms are fetched one by one; when most can (a
 * fleet of equal replicas), the window is scanned once. Both must give every candidate its own dwell.
 */
class TopProcessesTest {

    @TempDir
    Path work;

    @Test
    void theCandidatesCarryTheirOwnDwellWhetherFetchedOneByOneOrScanned() throws Exception {
        // One partition: every process below is in the task whose cut is computed.
        try (RunningDetector det = RunningDetector.start(work.resolve("state"), null, HttpLimits.api(), 1)) {
            det.send(firstEvents());
            String base = det.url().toString();
            HttpClient client = HttpClient.newHttpClient();
            // One by one: a single process has attached sockets, four hold only orphans.
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                JsonNode top = get(client, base + "/api/top/processes?limit=1");
                assertThat(top).hasSize(1);
                assertThat(top.get(0).get("comm").asText()).isEqualTo("leaker");
                assertThat(top.get(0).get("attached").asLong()).isEqualTo(3);
                assertThat(top.get(0).get("count").asLong()).isEqualTo(1);
                assertThat(top.get(0).get("max_ms").asLong()).isBetween(1980L, 2020L);
            });
            // Scanned: a twin of the leaker ties with it at the cut of a top 2, so both of the partition's six
            // processes that can make it are more than a quarter of them.
            Proc twin = new Proc(11, "twin", null);
            CollectorRun later = run.at(run.now().plusMillis(10));
            List<SpecificRecord> more = new ArrayList<>();
            for (int port = 42001; port <= 42003; port++) {
                more.add(later.attached(later.socket(port), null, TcpState.FIN_WAIT2, twin));
            }
            more.add(later.attached(later.socket(42010), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, twin));
            more.add(later.at(later.now().plusMillis(1000)).gone(later.socket(42010), TcpState.FIN_WAIT2));
            det.send(more);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                JsonNode top = get(client, base + "/api/top/processes?limit=2");
                assertThat(top).hasSize(2);
                for (JsonNode p : top) {
                    assertThat(p.get("attached").asLong()).isEqualTo(3);
                    assertThat(p.get("count").asLong()).isEqualTo(1);
                    long expected = p.get("comm").asText().equals("leaker") ? 2000 : 1000;
                    assertThat(p.get("max_ms").asLong()).as(p.toString()).isBetween(expected - 20, expected + 20);
                }
                assertThat(top.findValuesAsText("comm")).containsExactlyInAnyOrder("leaker", "twin");
            });
        }
    }

    private static JsonNode get(HttpClient client, String url) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new ObjectMapper().readTree(r.body());
    }

    private final CollectorRun run = new CollectorRun("node-t", "node-t-run", Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 3600);

    private List<SpecificRecord> firstEvents() {
        Instant now = run.now();
        Proc leaker = new Proc(10, "leaker", null);
        List<SpecificRecord> events = new ArrayList<>();
        events.add(run.heartbeat());
        for (int port = 40001; port <= 40003; port++) {
            events.add(run.attached(run.socket(port), null, TcpState.FIN_WAIT2, leaker));
        }
        for (int pid = 21; pid <= 24; pid++) {
            events.add(run.orphan(run.socket(41000 + pid), null, TcpState.FIN_WAIT2, new Proc(pid, "closer" + pid, null), 3_600_000));
        }
        // The leaker's one ended episode: 2 s in FIN_WAIT2.
        events.add(run.attached(run.socket(40010), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, leaker));
        events.add(run.at(now.plusMillis(2000)).gone(run.socket(40010), TcpState.FIN_WAIT2));
        return events;
    }
}
