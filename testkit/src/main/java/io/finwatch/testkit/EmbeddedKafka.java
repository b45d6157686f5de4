package io.finwatch.testkit;

import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.IntStream;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft cluster (one combined broker+controller process role) inside the test JVM.
 *
 * <p>{@link #stopBroker()} / {@link #startBroker()} stop and restart only the broker half of the node; the
 * controller and the log dirs stay, and the broker comes back on the same port because the test kit writes the
 * concrete port it pre-bound into the {@code listeners} config (the pre-bound socket is used once, after that the
 * broker binds the configured port itself).
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final ListenerName SECURED = new ListenerName("SECURED");
    private static final String SCRAM_SHA_512 = "SCRAM-SHA-512";
    private static final Duration PROPAGATION_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster;
    private final int brokerId;
    private final TestCertificates certificates;

    private EmbeddedKafka(KafkaClusterTestKit cluster, TestCertificates certificates) {
        this.cluster = cluster;
        this.brokerId = cluster.brokers().keySet().iterator().next();
        this.certificates = certificates;
    }

    public static EmbeddedKafka start() {
        return new EmbeddedKafka(startCluster(Map.of(), null), null);
    }

    /**
     * A broker whose log and metadata directories go under {@code baseDirectory} rather than the JVM's temporary
     * directory: a benchmark puts them on a memory file system, so that the stand-in broker's disk writes are not
     * charged to the instance it measures.
     */
    public static EmbeddedKafka startIn(Path baseDirectory) {
        return new EmbeddedKafka(startCluster(Map.of(), baseDirectory), null);
    }

    /**
     * A broker with a second client listener, {@code SASL_SSL} with SCRAM-SHA-512, beside the plaintext one. The
     * plaintext listener (also inter-broker) and the controller listener stay unauthenticated; their principal,
     * {@code User:ANONYMOUS}, is the super user, so this class's own helpers keep working. On the secured listener
     * the standard authorizer applies: a SCRAM user may do only what {@link #createAcls} granted it, as on a
     * production cluster with {@code allow.everyone.if.no.acl.found=false}. The users exist before this returns;
     * the broker's certificate is signed by a CA generated into {@code dir}.
     *
     * <p>The secured listener gets a new port after {@link #stopBroker()} / {@link #startBroker()}.
     *
     * @param scramUsers user name to password
     */
    public static EmbeddedKafka secured(Path dir, Map<String, String> scramUsers) {
        TestCertificates certs = TestCertificates.create(dir);
        String prefix = "listener.name." + SECURED.value().toLowerCase(Locale.ROOT) + ".";
        Map<String, String> config = new LinkedHashMap<>();
        config.put("listeners", "EXTERNAL://localhost:0,CONTROLLER://localhost:0," + SECURED.value() + "://localhost:0");
        config.put("listener.security.protocol.map", "EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT," + SECURED.value() + ":SASL_SSL");
        config.put("sasl.enabled.mechanisms", SCRAM_SHA_512);
        // A SASL listener needs a server login module even for SCRAM, whose credentials live in the metadata log.
        config.put(prefix + "scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        config.put(prefix + "ssl.keystore.type", "PKCS12");
        config.put(prefix + "ssl.keystore.location", certs.brokerKeystore().toString());
        config.put(prefix + "ssl.keystore.password", certs.password());
        config.put(prefix + "ssl.key.password", certs.password());
        config.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        config.put("super.users", "User:ANONYMOUS");
        // Kafka's defaults again: no test restarts a secured broker, and on a loaded machine the short session of
        // start() fences it now and then, which stalls every client for seconds.
        config.put("broker.session.timeout.ms", "9000");
        config.put("broker.heartbeat.interval.ms", "2000");
        KafkaClusterTestKit kit = startCluster(config, null);
        EmbeddedKafka kafka = new EmbeddedKafka(kit, certs);
        try {
            kafka.createScramUsers(scramUsers);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
        return kafka;
    }

    private static KafkaClusterTestKit startCluster(Map<String, String> extraConfig, Path baseDirectory) {
        quietBrokerLogs();
        try {
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                    .setBaseDirectory(baseDirectory)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
                    // Internal topics default to replication factor 3: with one broker the group coordinator and
                    // the transaction coordinator never come up and consumers hang in FindCoordinator.
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "1")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false")
                    // A restarted broker re-registers under the same id; the controller refuses that until the
                    // old session expires (9 s by default), which is most of an outage test's time budget.
                    .setConfigProp("broker.session.timeout.ms", "1500")
                    .setConfigProp("broker.heartbeat.interval.ms", "300")
                    // The log cleaner's offset map is 128 MiB of heap by default, allocated anew at every broker
                    // start: a test that restarts its broker a few times ran the test JVM out of its 1 GB heap.
                    // A test's compacted topics hold a few thousand keys.
                    .setConfigProp("log.cleaner.dedupe.buffer.size", Long.toString(4L << 20))
                    .setConfigProp("log.cleaner.threads", "1");
            extraConfig.forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return kit;
        } catch (Exception e) {
            throw new IllegalStateException("embedded Kafka did not start", e);
        }
    }

    /** The broker's own DEBUG logging costs more CPU than the tests on a 2-core machine. */
    private static void quietBrokerLogs() {
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger")) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                logger.setLevel(Level.WARN);
            }
        }
    }

    /** The plaintext listener: unauthenticated, super user. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The SASL_SSL listener of a {@link #secured} broker. */
    public String securedBootstrapServers() {
        requireSecured();
        return "localhost:" + broker().boundPort(SECURED);
    }

    /**
     * What a client needs for the secured listener as this user: the properties an operator puts in
     * {@code --kafka-config} / {@code --streams-config} (bootstrap servers excepted).
     */
    public Properties clientSecurity(String user, String password) {
        requireSecured();
        Properties p = new Properties();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_SSL");
        p.put(SaslConfigs.SASL_MECHANISM, SCRAM_SHA_512);
        p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PKCS12");
        p.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, certificates.truststore().toString());
        p.put(SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, certificates.password());
        return p;
    }

    /** Grants ACLs and returns once the broker's authorizer applies them (not only the controller's log). */
    public void createAcls(Collection<AclBinding> acls) {
        try (Admin admin = cluster.admin()) {
            admin.createAcls(acls).all().get();
            await("ACLs on the broker").atMost(PROPAGATION_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get().containsAll(acls));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating ACLs " + acls, e.getCause());
        }
    }

    private void createScramUsers(Map<String, String> users) {
        List<UserScramCredentialAlteration> upserts = new ArrayList<>();
        users.forEach((user, password) -> upserts.add(new UserScramCredentialUpsertion(user,
                new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), password)));
        try (Admin admin = cluster.admin()) {
            admin.alterUserScramCredentials(upserts).all().get();
            // The controller committed them; the broker answers this from its own metadata, so once it lists
            // every user, a client can log in as any of them.
            await("SCRAM users on the broker").atMost(PROPAGATION_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> admin.describeUserScramCredentials().all().get().keySet().containsAll(users.keySet()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating SCRAM users " + users.keySet(), e.getCause());
        }
    }

    private void requireSecured() {
        if (certificates == null) {
            throw new IllegalStateException("this broker has no secured listener: start it with EmbeddedKafka.secured");
        }
    }

    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating topic " + name, e.getCause());
        }
    }

    /** Sets one topic config, e.g. to lift a limit the test made a producer trip over. */
    public void setTopicConfig(String topic, String name, String value) {
        try (Admin admin = cluster.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource,
                    List.of(new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET)))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("altering topic " + topic, e.getCause());
        }
    }

    /** Stops the broker (not the controller): clients see connection refused on the bootstrap port. */
    public void stopBroker() {
        broker().shutdown();
        broker().awaitShutdown();
    }

    /** Restarts the broker on the same port and log dirs and waits until it serves requests again. */
    public void startBroker() {
        broker().startup();
        try {
            cluster.waitForReadyBrokers();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("broker did not come back", e.getCause());
        }
    }

    private BrokerServer broker() {
        return cluster.brokers().get(brokerId);
    }

    /**
     * Every record currently in the given topics, read from the beginning with a throwaway consumer (no group,
     * explicit assignment) until the end offsets observed at the start are reached.
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeAll(String... topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(10))
                        .forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!reached(consumer, end.keySet(), end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("did not reach end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> consumer, Collection<TopicPartition> parts,
                                   Map<TopicPartition, Long> end) {
        Set<TopicPartition> assigned = consumer.assignment();
        for (TopicPartition tp : parts) {
            if (assigned.contains(tp) && consumer.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    public void createTopics(int partitions, String... names) {
        List<NewTopic> topics = new ArrayList<>();
        for (String n : names) {
            topics.add(new NewTopic(n, partitions, (short) 1));
        }
        try (Admin admin = cluster.admin()) {
            admin.createTopics(topics).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("creating topics " + List.of(names), e.getCause());
        }
        // The controller has committed the topics; the broker leads their partitions a moment later. A producer that
        // writes in between gets NOT_LEADER_OR_FOLLOWER, and its retries of an idempotent batch OUT_OF_ORDER_SEQUENCE.
        BrokerServer broker = broker();
        await("leaders of " + List.of(names)).atMost(PROPAGATION_TIMEOUT).pollInterval(Duration.ofMillis(10))
                .until(() -> topics.stream().allMatch(t -> IntStream.range(0, partitions)
                        .allMatch(p -> broker.replicaManager().onlinePartition(new TopicPartition(t.name(), p)).isDefined())));
    }

    public KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A group-less consumer assigned to every partition of the topics, from the beginning. */
    public KafkaConsumer<byte[], byte[]> consumer(IsolationLevel isolation, String... topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(10)).forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        return consumer;
    }

    /** Everything readable in the topics now (committed records only under read_committed). */
    public List<ConsumerRecord<byte[], byte[]>> readAll(IsolationLevel isolation, String... topics) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = consumer(isolation, topics)) {
            Map<TopicPartition, Long> end = c.endOffsets(c.assignment(), Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("did not reach the end offsets " + end + " of " + List.of(topics));
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The broker's log directories, each holding a {@code <topic>-<partition>} directory of segment files. */
    public List<Path> logDirs() {
        try (Admin admin = cluster.admin()) {
            return admin.describeLogDirs(List.of(brokerId)).allDescriptions().get().get(brokerId).keySet().stream()
                    .map(Path::of).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("describing the broker's log dirs", e.getCause());
        }
    }

    /** Sum of a consumer group's committed offsets on a topic's partitions (0 before its first commit). */
    public long committedOffsets(String group, String topic) {
        try (Admin admin = cluster.admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading offsets of group " + group, e.getCause());
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing embedded Kafka", e);
        }
    }
}
