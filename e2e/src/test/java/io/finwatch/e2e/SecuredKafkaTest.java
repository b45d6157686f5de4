package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.cli.CollectorMain;
import io.finwatch.schemas.Topics;
import io.finwatch.streams.cli.StreamsMain;
import io.finwatch.testkit.FreePort;
import io.finwatch.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * collect, streams and tail as separate processes against a broker that speaks only SASL_SSL with SCRAM-SHA-512 to
 * them and authorizes every request: each runs as its own user holding exactly the ACLs docs/security.md lists, so a
 * missing grant in that document fails this test. A wrong password must end in an authentication error within
 * bounded time, and no password may reach a log.
 */
class SecuredKafkaTest {
    private static final String TRANSITIONS = Topics.TRANSITIONS;
    private static final String HEARTBEATS = Topics.HEARTBEATS;
    private static final String ANOMALIES = Topics.ANOMALIES;
    private static final String DLQ = Topics.DLQ;
    /** The detector's pairing path: it writes and reads these itself. */
    private static final List<String> PAIRING = List.of(Topics.PAIRING, Topics.PAIR_FACTS, Topics.HOST_DIRECTORY);
    private static final String APP_ID = "finwatch-streams";
    private static final String COLLECTOR = "finwatch-collector";
    private static final String STREAMS = "finwatch-streams";
    private static final String TAIL = "finwatch-tail";
    /** Generous: a loaded 2-core machine needs a minute for a broker, a Streams start and a SCRAM login or two. */
    private static final Duration BOUND = Duration.ofSeconds(120);

    @TempDir
    static Path shared;

    static EmbeddedKafka kafka;
    static Map<String, String> passwords;

    @TempDir
    Path dir;

    private final List<CommandProcess> processes = new ArrayList<>();
    private Path logs;

    @BeforeAll
    static void startBroker() {
        passwords = Map.of(COLLECTOR, secret(), STREAMS, secret(), TAIL, secret());
        kafka = EmbeddedKafka.secured(shared.resolve("tls"), passwords);
        List<AclBinding> acls = new ArrayList<>();
        allow(acls, COLLECTOR, ResourceType.TOPIC, TRANSITIONS, PatternType.LITERAL, AclOperation.WRITE);
        // Nothing on the heartbeats topic: collectors send heartbeats on the transitions topic.
        for (String topic : List.of(TRANSITIONS, HEARTBEATS)) {
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
            allow(acls, TAIL, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
        }
        for (String topic : List.of(ANOMALIES, DLQ)) {
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE);
        }
        for (String topic : PAIRING) {
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.READ);
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.WRITE);
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.CREATE);
        }
        allow(acls, TAIL, ResourceType.TOPIC, ANOMALIES, PatternType.LITERAL, AclOperation.READ);
        // --create-topics (the default): streams creates the four topics itself.
        for (String topic : List.of(TRANSITIONS, HEARTBEATS, ANOMALIES, DLQ)) {
            allow(acls, STREAMS, ResourceType.TOPIC, topic, PatternType.LITERAL, AclOperation.CREATE);
        }
        allow(acls, STREAMS, ResourceType.TOPIC, APP_ID, PatternType.PREFIXED, AclOperation.ALL);
        allow(acls, STREAMS, ResourceType.GROUP, APP_ID, PatternType.LITERAL, AclOperation.READ);
        allow(acls, STREAMS, ResourceType.TRANSACTIONAL_ID, APP_ID, PatternType.PREFIXED, AclOperation.WRITE);
        kafka.createAcls(acls);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (CommandProcess p : processes) {
            p.close();
        }
    }

    @Test
    void collectPublishesStreamsProcessesAndTailReadsOverSaslSsl() throws Exception {
        logs = logDir("happy");
        Path collectorConfig = clientConfig("collector.properties", COLLECTOR, passwords.get(COLLECTOR));
        Path tailConfig = clientConfig("tail.properties", TAIL, passwords.get(TAIL));
        // streams: the TLS and SASL settings from --streams-config, the credentials from the environment, the way
        // a Kubernetes Secret reaches a container.
        Properties streamsProps = kafka.clientSecurity(STREAMS, passwords.get(STREAMS));
        String jaas = (String) streamsProps.remove(SaslConfigs.SASL_JAAS_CONFIG);
        Path streamsConfig = write("streams.properties", streamsProps);

        CommandProcess streams = start(StreamsMain.class, "streams", Map.of("KAFKA_STREAMS_SASL_JAAS_CONFIG", jaas),
                "streams", "--bootstrap-servers", kafka.securedBootstrapServers(), "--streams-config", streamsConfig.toString(),
                "--application-id", APP_ID, "--state-dir", dir.resolve("state").toString(),
                "--http", "127.0.0.1:" + FreePort.belowEphemeralRange(), "--partitions", "2");
        CommandProcess collector = start(CollectorMain.class, "collect", Map.of(),
                "collect", "--bootstrap-servers", kafka.securedBootstrapServers(), "--kafka-config", collectorConfig.toString(),
                "--buffer-dir", dir.resolve("buffer").toString(), "--interval", "1s", "--host", "sechost", "--no-owners",
                "--metrics", "127.0.0.1:" + FreePort.belowEphemeralRange());

        // Streams committed the collector's events (its heartbeats at least, one a second) in a transaction: it read
        // them and wrote its own records (changelogs, offsets) through the secured listener, as its user.
        await("streams commits the collector's events").atMost(BOUND).pollInterval(Duration.ofMillis(500))
                .failFast("a command exited", () -> !streams.isAlive() || !collector.isAlive())
                .until(() -> kafka.committedOffsets(APP_ID, TRANSITIONS) > 0);

        CommandProcess tail = start(CollectorMain.class, "tail", Map.of(),
                "tail", "--bootstrap-servers", kafka.securedBootstrapServers(), "--kafka-config", tailConfig.toString(),
                "--topic", TRANSITIONS, "--from-beginning", "--json", "--max-records", "1");
        assertThat(tail.awaitExit(BOUND)).as(tail.log()).isZero();
        assertThat(tail.stdout()).contains("\"sechost\"");

        assertThat(streams.log()).contains("sasl.jaas.config=****");
        for (CommandProcess p : processes) {
            assertNoSecret(p);
        }
    }

    @Test
    void aWrongPasswordIsAnAuthenticationErrorWithinBoundedTime() throws Exception {
        logs = logDir("wrong-password");
        String wrong = secret();
        Path collectorConfig = clientConfig("collector.properties", COLLECTOR, wrong);
        Path streamsConfig = clientConfig("streams.properties", STREAMS, wrong);
        Path tailConfig = clientConfig("tail.properties", TAIL, wrong);

        CommandProcess streams = start(StreamsMain.class, "streams", Map.of(),
                "streams", "--bootstrap-servers", kafka.securedBootstrapServers(), "--streams-config", streamsConfig.toString(),
                "--application-id", APP_ID, "--state-dir", dir.resolve("state").toString(), "--http", "127.0.0.1:" + FreePort.belowEphemeralRange());
        CommandProcess tail = start(CollectorMain.class, "tail", Map.of(),
                "tail", "--bootstrap-servers", kafka.securedBootstrapServers(), "--kafka-config", tailConfig.toString(),
                "--topic", HEARTBEATS, "--from-beginning");
        CommandProcess collector = start(CollectorMain.class, "collect", Map.of(),
                "collect", "--bootstrap-servers", kafka.securedBootstrapServers(), "--kafka-config", collectorConfig.toString(),
                "--buffer-dir", dir.resolve("buffer").toString(), "--interval", "1s", "--host", "sechost", "--no-owners",
                "--metrics", "127.0.0.1:" + FreePort.belowEphemeralRange());

        // streams and tail cannot work without Kafka: they exit, saying why.
        assertThat(streams.awaitExit(BOUND)).as(streams.log()).isNotZero();
        assertThat(streams.log()).contains("Authentication failed").contains("invalid credentials");
        assertThat(tail.awaitExit(BOUND)).as(tail.log()).isNotZero();
        assertThat(tail.log()).contains("Authentication failed").contains("invalid credentials");
        // The collector keeps polling into its buffer (nothing is lost) and says at ERROR why nothing is published.
        await("the collector reports the authentication failure").atMost(BOUND).pollInterval(Duration.ofMillis(500))
                .until(() -> collector.log().lines().anyMatch(l -> l.contains("ERROR") && l.contains("KafkaPublisher")
                        && l.contains("SaslAuthenticationException: Authentication failed")));
        assertThat(collector.isAlive()).isTrue();

        for (CommandProcess p : processes) {
            assertNoSecret(p, wrong);
        }
    }

    /** Kept after the run, for a failure's post-mortem. */
    private static Path logDir(String test) throws IOException {
        return Files.createDirectories(Path.of("target", "child-logs", "secured-kafka", test));
    }

    private CommandProcess start(Class<?> main, String name, Map<String, String> env, String... args) throws IOException {
        Map<String, String> withKafkaLogs = new HashMap<>(env);
        // The Kafka clients log their whole configuration at INFO: the check for leaked passwords covers it too.
        withKafkaLogs.put("FINWATCH_KAFKA_LOG_LEVEL", "INFO");
        CommandProcess p = CommandProcess.start(main, logs, name, withKafkaLogs, List.of(args));
        processes.add(p);
        return p;
    }

    private void assertNoSecret(CommandProcess p, String... more) throws IOException {
        List<String> secrets = new ArrayList<>(passwords.values());
        secrets.addAll(List.of(more));
        secrets.add(kafka.clientSecurity(TAIL, "").getProperty(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG));
        String output = p.stdout() + p.log();
        for (String secret : secrets) {
            assertThat(output).as("output of a command").doesNotContain(secret);
        }
    }

    private Path clientConfig(String name, String user, String password) throws IOException {
        return write(name, kafka.clientSecurity(user, password));
    }

    private Path write(String name, Properties p) throws IOException {
        Path file = dir.resolve(name);
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, null);
        }
        return file;
    }

    private static void allow(List<AclBinding> acls, String user, ResourceType type, String name, PatternType pattern,
                              AclOperation operation) {
        acls.add(new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + user, "*", operation, AclPermissionType.ALLOW)));
    }

    private static String secret() {
        return UUID.randomUUID().toString();
    }

}
