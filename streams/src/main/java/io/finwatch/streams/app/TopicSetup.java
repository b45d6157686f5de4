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
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the four topics exist before Streams starts: creates the missing ones (when allowed) and
 * checks that transitions and heartbeats have the same partition count, without which a host's two
 * streams would meet different tasks and the silence rules would see the wrong heartbeats.
 */
public final class TopicSetup {

    private static final Logger LOG = LoggerFactory.getLogger(TopicSetup.class);
    private static final long TIMEOUT_S = 30;

    private TopicSetup() {
    }

    /**
     * @return the partition count of the input topics (the number of tasks)
     * @throws IllegalStateException naming the topic and the reason when a topic is missing and may not be
     *                               created, cannot be created, or the partition counts differ
     */
    public static int ensure(Properties kafka, StreamsSettings s, boolean create, int partitions, short replicationFactor) {
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        // Security settings apply to the admin client too; Streams' admin.* prefix narrows them to it.
        kafka.stringPropertyNames().stream().filter(n -> n.startsWith("security.") || n.startsWith("sasl.") || n.startsWith("ssl."))
                .forEach(n -> adminProps.put(n, kafka.getProperty(n)));
        kafka.stringPropertyNames().stream().filter(n -> n.startsWith("admin."))
                .forEach(n -> adminProps.put(n.substring("admin.".length()), kafka.getProperty(n)));
        List<String> topics = List.of(s.transitionsTopic(), s.heartbeatsTopic(), s.anomaliesTopic(), s.dlqTopic());
        Admin admin = Admin.create(adminProps);
        try {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT_S, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(new NewTopic(t, partitions, replicationFactor));
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
            Map<String, TopicDescription> d = admin.describeTopics(List.of(s.transitionsTopic(), s.heartbeatsTopic())).allTopicNames()
                    .get(TIMEOUT_S, TimeUnit.SECONDS);
            int tp = d.get(s.transitionsTopic()).partitions().size();
            int hp = d.get(s.heartbeatsTopic()).partitions().size();
            if (tp != hp) {
                throw new IllegalStateException(s.transitionsTopic() + " has " + tp + " partitions but " + s.heartbeatsTopic() + " has " + hp
                        + ": they must be equal so that a host's transitions and heartbeats meet in one task");
            }
            return tp;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot check the topics on " + adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + adminProps.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG)
                    + " within " + TIMEOUT_S + " s while checking the topics (wrong --bootstrap-servers, or the brokers are down)", e);
        } finally {
            // Without a bound, close waits for the pending request's own timeout, another minute.
            admin.close(Duration.ofSeconds(5));
        }
    }
}
