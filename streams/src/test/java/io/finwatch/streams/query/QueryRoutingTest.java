package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finwatch.testkit.FreePort;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.StreamsProcess;
import io.finwatch.testkit.EmbeddedKafka;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two detector instances (separate JVMs, one application id, each its own HTTP port and state directory) on a
 * real broker, both serving the API over TLS with a token. Either instance gives the same answer for every host,
 * wherever its partition lives; fleet-wide answers are whole. Then one is killed with SIGKILL: while the group
 * still lists it, its hosts are a 503 with Retry-After at the survivor, never an empty or partial answer, and
 * after the rebalance the survivor answers them exactly as before.
 */
class QueryRoutingTest {

    static final String TOKEN = "routing-test-token";
    static final int HOSTS = 12;
    static final int PARTITIONS = 6;

    @TempDir
    Path work;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void bothInstancesAnswerEveryHostAndTheSurvivorTakesOverAfterAKill() throws Exception {
        Path keystore = TestKeystore.create(work);
        Path streamsConfig = work.resolve("streams.properties");
        // The broker's minimum session timeout is 6 s: the dead instance leaves the group that soon.
        Files.writeString(streamsConfig, String.join("\n", "commit.interval.ms=100", "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=500"));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(PARTITIONS, "r.transitions", "r.heartbeats", "r.pairing", "r.pair-facts", "r.host-directory");
            kafka.createTopics(1, "r.anomalies", "r.dlq");
            int expectedStuck = produce(kafka);
            int portA = FreePort.belowEphemeralRange();
            int portB = FreePort.belowEphemeralRange();
            try (StreamsProcess a = StreamsProcess.start(args(kafka, "a", portA, keystore, streamsConfig), log("a"));
                 StreamsProcess b = StreamsProcess.start(args(kafka, "b", portB, keystore, streamsConfig), log("b"))) {
                ApiClient apiA = new ApiClient(portA, keystore, TOKEN);
                ApiClient apiB = new ApiClient(portB, keystore, TOKEN);

                // Both own partitions (each answers a hop request for its own share), and everything is processed.
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                        !localPartitions(apiA).isEmpty() && !localPartitions(apiB).isEmpty()
                                && apiA.json("/api/hosts").size() == HOSTS
                                && apiA.json("/api/anomalies?limit=1000").size() == expectedStuck
                                && dwellCount(apiA) == HOSTS);
                Set<Integer> all = new TreeSet<>(localPartitions(apiA));
                all.addAll(localPartitions(apiB));
                assertThat(all).as("the two instances split the partitions").hasSize(PARTITIONS);

                Map<String, String> before = new java.util.TreeMap<>();
                for (int h = 0; h < HOSTS; h++) {
                    String host = host(h);
                    for (String path : hostPaths(host)) {
                        String fromA = comparable(apiA.json(path));
                        assertThat(comparable(apiB.json(path))).as(path).isEqualTo(fromA);
                        before.put(path, fromA);
                    }
                }
                JsonNode hostsA = apiA.json("/api/hosts");
                assertThat(comparable(apiB.json("/api/hosts"))).isEqualTo(comparable(hostsA));
                Set<String> names = new TreeSet<>();
                hostsA.forEach(n -> names.add(n.get("host").asText()));
                assertThat(names).isEqualTo(hostNames());
                assertThat(apiB.json("/api/anomalies?limit=1000")).hasSize(expectedStuck);
                assertThat(comparable(apiB.json("/api/top/processes?limit=1000&by=p99")))
                        .isEqualTo(comparable(apiA.json("/api/top/processes?limit=1000&by=p99")));

                // A host whose partition B holds: after B dies, A must not answer it from nothing.
                String ofB = apiB.send("/api/hosts", "GET", TOKEN, Forwarder.HOP_HEADER, "1").body();
                String victimHost = ApiClient.JSON.readTree(ofB).get(0).get("host").asText();
                String path = "/api/hosts/" + victimHost + "/finwait2";
                b.kill9();

                HttpResponse<String> during = apiA.get(path);
                assertThat(during.statusCode()).as(during.body()).isEqualTo(503);
                assertThat(during.headers().firstValue("Retry-After")).isPresent();
                assertThat(ApiClient.JSON.readTree(during.body()).get("error").asText()).isEqualTo("unavailable");
                HttpResponse<String> fleetDuring = apiA.get("/api/hosts");
                assertThat(fleetDuring.statusCode()).as("never a partial fleet answer").isEqualTo(503);

                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() ->
                        assertThat(comparable(apiA.json(path))).isEqualTo(before.get(path)));
                for (Map.Entry<String, String> e : before.entrySet()) {
                    assertThat(comparable(apiA.json(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
                }
                assertThat(localPartitions(apiA)).hasSize(PARTITIONS);
                assertThat(apiA.json("/api/hosts")).hasSize(HOSTS);
            }
        }
    }

    /**
     * Per host: a heartbeat, two FIN_WAIT2 sockets held by a service, one episode that ended after 2 s, and on
     * every third host a socket past a 1 s fin timeout (STUCK). Returns how many STUCK to expect.
     */
    static int produce(EmbeddedKafka kafka) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        int stuck = 0;
        for (int h = 0; h < HOSTS; h++) {
            CollectorRun run = new CollectorRun(host(h), host(h) + "-run", now, 1000, 3600);
            Proc svc = new Proc(100 + h % 5, "svc" + (h % 5), null);
            List<SpecificRecord> events = new ArrayList<>();
            events.add(run.heartbeat());
            events.add(run.attached(run.socket(30001), null, TcpState.FIN_WAIT2, svc));
            events.add(run.attached(run.socket(30002), null, TcpState.FIN_WAIT2, svc));
            events.add(run.attached(run.socket(30003), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, svc));
            events.add(run.at(now.plusSeconds(2)).gone(run.socket(30003), TcpState.FIN_WAIT2));
            if (h % 3 == 0) {
                events.add(run.finTimeout(1).attached(run.socket(30004), null, TcpState.FIN_WAIT2, new Proc(9, "leaky", null)));
                stuck++;
            }
            for (SpecificRecord e : events) {
                records.add(new ProducerRecord<>("r.transitions", host(h).getBytes(StandardCharsets.UTF_8), FinwatchSerde.shared().encode(e)));
            }
        }
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            records.forEach(producer::send);
            producer.flush();
        }
        return stuck;
    }

    static List<String> hostPaths(String host) {
        return List.of("/api/hosts/" + host + "/finwait2", "/api/hosts/" + host + "/processes?window=1h", "/api/anomalies?host=" + host);
    }

    /** The answer without what depends on the moment of the request (dwell to now). */
    static String comparable(JsonNode array) {
        ArrayNode copy = array.deepCopy();
        copy.forEach(n -> ((ObjectNode) n).remove("dwell_ms"));
        return copy.toString();
    }

    static Set<Integer> localPartitions(ApiClient api) throws IOException, InterruptedException {
        HttpResponse<String> r = api.send("/api/hosts", "GET", TOKEN, Forwarder.HOP_HEADER, "1");
        Set<Integer> out = new TreeSet<>();
        if (r.statusCode() != 200) {
            return out;
        }
        String header = r.headers().firstValue(Answer.PARTITIONS_HEADER).orElse("");
        for (String p : header.split(",")) {
            if (!p.isBlank()) {
                out.add(Integer.parseInt(p));
            }
        }
        return out;
    }

    static long dwellCount(ApiClient api) throws IOException, InterruptedException {
        long n = 0;
        for (JsonNode p : api.json("/api/top/processes?by=p99&limit=1000")) {
            n += p.get("count").asLong();
        }
        return n;
    }

    static List<String> args(EmbeddedKafka kafka, String name, int port, Path keystore, Path streamsConfig) {
        return List.of("streams", "--bootstrap-servers", kafka.bootstrapServers(), "--application-id", "routing-test",
                "--state-dir", keystore.getParent().resolve("state-" + name).toString(), "--http", "127.0.0.1:" + port,
                "--transitions-topic", "r.transitions", "--heartbeats-topic", "r.heartbeats", "--anomalies-topic", "r.anomalies",
                "--dlq-topic", "r.dlq", "--pairing-topic", "r.pairing", "--pair-facts-topic", "r.pair-facts",
                "--host-directory-topic", "r.host-directory", "--create-topics", "false", "--silence-after", "10m", "--punctuate-every", "200ms",
                "--streams-config", streamsConfig.toString(), "--http-token", TOKEN,
                "--http-tls-keystore", keystore.toString(), "--http-tls-keystore-password", TestKeystore.PASSWORD);
    }

    static Path log(String name) throws IOException {
        return Files.createDirectories(Path.of("target", "query-routing")).resolve("streams-" + name + "-" + System.currentTimeMillis() + ".log");
    }

    static String host(int i) {
        return String.format("host-%02d", i);
    }

    static Set<String> hostNames() {
        Set<String> out = new TreeSet<>();
        for (int h = 0; h < HOSTS; h++) {
            out.add(host(h));
        }
        return out;
    }

}
