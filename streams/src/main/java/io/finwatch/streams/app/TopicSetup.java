package io.finwatch.streams.app;

import io.finwatch.streams.config.StreamsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import io.finwatch.common.kafka.BrokerUnreachable;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the topics exist (the four of the detector and the three of its pairing path) before Streams starts: creates the missing ones (when allowed) and
 * checks that transitions and heartbeats have the same partition count, without which a host's two
 * streams would meet different tasks and the silence rules would see the wrong heartbeats.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_S = 30;
    private static final long METADATA_RETRY_MS = 100;

    private TopicSetup() {
    }

    /**
     * @param kafka the complete Kafka Streams properties (bootstrap servers, application id, security)
     * @return the partition count of the input topics (the number of tasks)
     * @throws IllegalStateException naming the topic and the reason when a topic is missing and may not be
     *                               created, cannot be created, or the partition counts differ
     */
    public static int ensure(Properties kafka, StreamsSettings s, boolean create, int partitions, short replicationFactor) {
        // Exactly the configuration Kafka Streams gives its own admin client: every admin property of the
        // Streams properties (TLS, SASL, client.dns.lookup...) with admin.* overrides, so a cluster that
        // Streams can reach, this can too.
        Map<String, Object> adminProps = new StreamsConfig(kafka)
                .getAdminConfigs(kafka.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-topic-setup");
        List<String> topics = List.of(s.transitionsTopic(), s.heartbeatsTopic(), s.anomaliesTopic(), s.dlqTopic(), s.pairingTopic(),
                s.pairFactsTopic(), s.hostDirectoryTopic());
        String bootstrap = String.valueOf(adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)).replaceAll("[\\[\\] ]", "");
        Admin admin;
        try {
            admin = Admin.create(adminProps);
        } catch (KafkaException e) {
            // An unresolvable name fails here, as "Failed to create new KafkaAdminClient".
            throw new IllegalStateException(BrokerUnreachable.explain(bootstrap, "--bootstrap-servers", e), e);
        }
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    NewTopic topic = new NewTopic(t, partitions, replicationFactor);
                    if (t.equals(s.hostDirectoryTopic())) {
                        // Only each host's newest entry matters.
                        topic.configs(Map.of("cleanup.policy", "compact"));
                    }
                    missing.add(topic);
                }
            }
            if (!missing.isEmpty() && !create) {
                throw new IllegalStateException("topics " + missing.stream().map(NewTopic::name).toList() + " do not exist on "
                        + adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + " and --create-topics is off: create them first");
            }
            for (NewTopic t : missing) {
                try {
                    admin.createTopics(List.of(t)).all().get(TIMEOUT_S, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions, replication factor {})", t.name(), partitions, replicationFactor);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + t.name() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
            Map<String, TopicDescription> d = describe(admin, List.of(s.transitionsTopic(), s.heartbeatsTopic(), s.pairFactsTopic(),
                    s.hostDirectoryTopic()));
            int tp = d.get(s.transitionsTopic()).partitions().size();
            int hp = d.get(s.heartbeatsTopic()).partitions().size();
            if (tp != hp) {
                throw new IllegalStateException(s.transitionsTopic() + " has " + tp + " partitions but " + s.heartbeatsTopic() + " has " + hp
                        + ": they must be equal so that a host's transitions and heartbeats meet in one task");
            }
            for (String sameCount : List.of(s.pairFactsTopic(), s.hostDirectoryTopic())) {
                int fp = d.get(sameCount).partitions().size();
                if (tp != fp) {
                    throw new IllegalStateException(s.transitionsTopic() + " has " + tp + " partitions but " + sameCount + " has " + fp
                            + ": they must be equal, since the detector's tasks read them together");
                }
            }
            return tp;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (ExecutionException e) {
            if (BrokerUnreachable.clientCause(e) != null || e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new IllegalStateException(BrokerUnreachable.explain(bootstrap, "--bootstrap-servers", e), e.getCause());
            }
            throw new IllegalStateException("cannot check the topics on " + bootstrap + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(BrokerUnreachable.explain(bootstrap, "--bootstrap-servers", e) + " (no answer within "
                    + TIMEOUT_S + " s while checking the topics)", e);
        } finally {
            // Without a bound, close waits for the pending request's own timeout, another minute.
            admin.close(Duration.ofSeconds(5));
        }
    }

    /**
     * createTopics completes once the controller committed the topic; the broker that answers describeTopics may
     * not have applied that yet and says the topic does not exist, so that answer is asked again for a while.
     */
    private static Map<String, TopicDescription> describe(Admin admin, List<String> names)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
        while (true) {
            try {
                return admin.describeTopics(names).allTopicNames().get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(METADATA_RETRY_MS);
            }
        }
    }
}
