package io.finwatch.streams.cli;

import io.finwatch.common.config.Cli;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.config.KafkaConnectionOptions;
import io.finwatch.schemas.Topics;
import io.finwatch.streams.app.StreamsApp;
import io.finwatch.streams.app.StreamsAppConfig;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.query.ApiSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streams}: runs the detector until SIGTERM. Every option can also come from the environment as
 * {@code FINWATCH_<OPTION>} (e.g. {@code FINWATCH_BOOTSTRAP_SERVERS}) or from {@code --config FILE}; the connection
 * ({@link KafkaConnectionOptions}) is declared as for every command that reaches Kafka; any Kafka Streams property
 * from {@code --streams-config FILE} or {@code KAFKA_STREAMS_<PROPERTY>} (see
 * {@link KafkaStreamsProperties}).
 */
@Command(name = "streams", mixinStandardHelpOptions = true,
        description = "Run the FIN_WAIT2 detector (Kafka Streams, exactly-once) with /metrics, /healthz and the query API.")
final class StreamsCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file of these options (key = option name without dashes).")
    Path config;

    @Mixin
    KafkaConnectionOptions kafka;

    @Option(names = "--streams-config", paramLabel = "FILE",
            description = "Properties file of any Kafka Streams / consumer. / producer. / admin. property; over --kafka-config.")
    Path streamsConfig;

    @Option(names = "--state-dir", defaultValue = "${sys:java.io.tmpdir}/finwatch-streams", paramLabel = "DIR",
            description = "Local state (RocksDB); keep it on a persistent disk to spare restores. Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Option(names = "--application-id", defaultValue = "finwatch-streams",
            description = "Consumer group and prefix of internal topics; keep it stable. Default: ${DEFAULT-VALUE}.")
    String applicationId;

    @Option(names = "--application-server", paramLabel = "HOST:PORT",
            description = "This instance's query API address, advertised to the others for interactive queries. "
                    + "Default: the --http address (this machine's host name when --http binds every interface).")
    HostPort applicationServer;

    @Option(names = "--group-instance-id", paramLabel = "ID",
            description = "This instance's static member id in the consumer group (Kafka's group.instance.id; each stream "
                    + "thread adds -<n>): an instance that crashed and restarts within the session timeout takes its tasks "
                    + "back without a rebalance. Unique per instance and stable across its restarts, e.g. the pod name of a "
                    + "StatefulSet. 'none' for dynamic membership. Default: the --application-server address.")
    String groupInstanceId;

    @Option(names = "--transitions-topic", defaultValue = Topics.TRANSITIONS, description = "Default: ${DEFAULT-VALUE}.")
    String transitionsTopic;

    @Option(names = "--heartbeats-topic", defaultValue = Topics.HEARTBEATS,
            description = "Heartbeats of collectors of earlier releases, read beside those on the transitions topic, where "
                    + "collectors now send them. Default: ${DEFAULT-VALUE}.")
    String heartbeatsTopic;

    @Option(names = "--anomalies-topic", defaultValue = Topics.ANOMALIES, description = "Default: ${DEFAULT-VALUE}.")
    String anomaliesTopic;

    @Option(names = "--dlq-topic", defaultValue = Topics.DLQ, description = "Default: ${DEFAULT-VALUE}.")
    String dlqTopic;

    @Option(names = "--pairing-topic", defaultValue = Topics.PAIRING,
            description = "Closing sockets keyed by connection, so both ends meet. Default: ${DEFAULT-VALUE}.")
    String pairingTopic;

    @Option(names = "--pair-facts-topic", defaultValue = Topics.PAIR_FACTS,
            description = "Peers found for sockets, keyed by host; as many partitions as the transitions. Default: ${DEFAULT-VALUE}.")
    String pairFactsTopic;

    @Option(names = "--host-directory-topic", defaultValue = Topics.HOST_DIRECTORY,
            description = "Hosts' addresses, written to every partition; as many partitions as the transitions. Default: ${DEFAULT-VALUE}.")
    String hostDirectoryTopic;

    @Mixin
    DetectorOptions detector;

    @Option(names = "--http", defaultValue = "127.0.0.1:8080", paramLabel = "HOST:PORT",
            description = "Where /metrics, /healthz and the query API listen. Default: ${DEFAULT-VALUE}.")
    HostPort http;

    @Option(names = "--http-token", paramLabel = "TOKEN",
            description = "Require Authorization: Bearer TOKEN on every HTTP path but /healthz (all instances share it). Default: none.")
    String httpToken;

    @Option(names = "--http-tls-keystore", paramLabel = "FILE",
            description = "Serve HTTPS with the key and certificate of this PKCS12 file. Default: plain HTTP.")
    Path httpTlsKeystore;

    @Option(names = "--http-tls-keystore-password", paramLabel = "PASSWORD", description = "Password of --http-tls-keystore.")
    String httpTlsKeystorePassword;

    @Option(names = "--http-tls-truststore", paramLabel = "FILE",
            description = "PKCS12 file of the certificates trusted when forwarding queries to other instances. Default: the key store.")
    Path httpTlsTruststore;

    @Option(names = "--http-tls-truststore-password", paramLabel = "PASSWORD",
            description = "Password of --http-tls-truststore. Default: the key store's.")
    String httpTlsTruststorePassword;

    @Option(names = "--grace", paramLabel = "DURATION",
            description = "Time an orphan gets past the kernel's reap deadline before it is ORPHAN_NOT_REAPED. Default: 2 poll intervals of its host.")
    Duration grace;

    @Option(names = "--silence-after", paramLabel = "DURATION",
            description = "Quiet time after which a collector is COLLECTOR_SILENT (at least 10s). Default: 5 poll intervals of its host, at least 10s.")
    Duration silenceAfter;

    @Option(names = "--punctuate-every", defaultValue = "200ms", paramLabel = "DURATION",
            description = "How often deadlines and silences are checked (wall clock). Default: ${DEFAULT-VALUE}.")
    Duration punctuateEvery;

    @Option(names = "--create-topics", defaultValue = "true", arity = "1",
            description = "Create missing topics at start (otherwise fail when one is missing). Default: ${DEFAULT-VALUE}.")
    boolean createTopics;

    @Option(names = "--partitions", defaultValue = "6",
            description = "Partitions of topics it creates; bounds the useful number of stream threads. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "1",
            description = "Replication factor of topics it creates: 1 for a local broker, 3 in production. Default: ${DEFAULT-VALUE}.")
    short replicationFactor;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (groupInstanceId != null && !groupInstanceId.equals("none") && !groupInstanceId.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw Cli.usageError(spec, "--group-instance-id '" + groupInstanceId + "' may hold only letters, digits, '.', '_' and '-' "
                    + "(at most 200), or be 'none'");
        }
        Cli.logEffectiveConfig(spec, LOG);
        StreamsSettings settings = detector.applyTo(StreamsSettings.builder())
                .topics(transitionsTopic, heartbeatsTopic, anomaliesTopic, dlqTopic)
                .pairingTopics(pairingTopic, pairFactsTopic, hostDirectoryTopic)
                .grace(grace)
                .silenceAfter(silenceAfter)
                .punctuateEvery(punctuateEvery)
                .build();
        StreamsAppConfig config = StreamsAppConfig.builder(settings, kafkaProperties())
                .http(http)
                .topics(createTopics, partitions, replicationFactor)
                .security(security())
                .build();
        StreamsApp app = StreamsApp.start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "finwatch-shutdown"));
        return app.awaitTermination() ? 1 : 0;
    }

    private ApiSecurity security() {
        if (httpTlsKeystore == null && (httpTlsTruststore != null || httpTlsKeystorePassword != null)) {
            throw new IllegalArgumentException("--http-tls-truststore and --http-tls-keystore-password need --http-tls-keystore");
        }
        if (httpTlsKeystore != null && httpTlsKeystorePassword == null) {
            throw new IllegalArgumentException("--http-tls-keystore needs --http-tls-keystore-password (or FINWATCH_HTTP_TLS_KEYSTORE_PASSWORD)");
        }
        return new ApiSecurity(httpToken == null || httpToken.isEmpty() ? null : httpToken, httpTlsKeystore,
                httpTlsKeystorePassword == null ? null : httpTlsKeystorePassword.toCharArray(), httpTlsTruststore,
                httpTlsTruststorePassword == null ? null : httpTlsTruststorePassword.toCharArray());
    }

    private Properties kafkaProperties() throws IOException {
        Map<String, String> owned = new HashMap<>();
        owned.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        owned.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        owned.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        // Interactive queries find a key's owner by this address; without the option StreamsApp advertises the
        // --http address it bound (a host name in place of a wildcard).
        owned.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer == null ? null : applicationServer.toString());
        // Unset: StreamsApp names the member after the advertised address; empty: dynamic membership.
        owned.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId == null ? null
                : groupInstanceId.equals("none") ? "" : groupInstanceId);
        // The connection's file (shared with the collectors) applies to every client; --streams-config tunes over it.
        Map<String, String> file = new TreeMap<>();
        kafka.clientProperties().forEach((k, v) -> file.put(k.toString(), v.toString().trim()));
        if (streamsConfig != null) {
            file.putAll(KafkaStreamsProperties.fromFile(streamsConfig));
        }
        String fileName = streamsConfig == null ? String.valueOf(kafka.kafkaConfig())
                : kafka.kafkaConfig() == null ? streamsConfig.toString() : kafka.kafkaConfig() + " or " + streamsConfig;
        return KafkaStreamsProperties.assemble(file, fileName, KafkaStreamsProperties.fromEnvironment(System.getenv()), owned);
    }
}
