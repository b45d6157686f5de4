package io.finwatch.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft cluster (one process that is both broker and controller) in this JVM, its log in one
 * directory. The directory is formatted the first time only: the cluster id lives in its meta.properties, so a
 * restart serves the same topics, offsets and transactions as before.
 */
final class LocalBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalBroker.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER = "CONTROLLER";

    private final KafkaRaftServer server;
    private final String bootstrap;

    private LocalBroker(KafkaRaftServer server, String bootstrap) {
        this.server = server;
        this.bootstrap = bootstrap;
    }

    /**
     * Formats {@code logDir} if it never was, starts the node and waits until it answers on {@code port}.
     *
     * @throws IllegalStateException when the node does not start or answer within {@code timeout}
     */
    static LocalBroker start(Path logDir, int port, Duration timeout) throws IOException {
        Files.createDirectories(logDir);
        // The controller listener is only this JVM talking to itself; with a static voter set its address is
        // not persisted, so a fresh free port each start is fine and leaves the user one port to care about.
        int controllerPort = freeLoopbackPort();
        KafkaConfig config = new KafkaConfig(properties(logDir, port, controllerPort), false);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(logDir);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        String bootstrap = "127.0.0.1:" + port;
        LocalBroker broker = new LocalBroker(server, bootstrap);
        try {
            server.startup();
            broker.awaitReady(timeout);
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** The broker's settings: one node, so every internal topic has one replica. */
    static Map<String, String> properties(Path logDir, int port, int controllerPort) {
        Map<String, String> p = new TreeMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", CONTROLLER);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        // Internal topics default to 3 replicas: on one node the group and transaction coordinators would never
        // come up, and consumers and the exactly-once producer would hang.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        // A detector whose state directory was deleted while a transaction was open gets a new transactional id, so
        // the old transaction blocks its restore until it times out (10 s, KafkaStreamsProperties) and the broker
        // notices: check every second instead of every 10 s.
        p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // The broker serves clients once the controller unfences it, which it does at a heartbeat that finds it caught
        // up with the metadata log: with the default 2 s interval a start (or restart) waited 2-4 s for that alone.
        // The session (9 s) still tolerates a few late heartbeats on a busy machine.
        p.put("broker.heartbeat.interval.ms", "500");
        // The streams app creates its topics with their settings; a typo'd topic name must not appear silently.
        p.put("auto.create.topics.enable", "false");
        p.putAll(sizedForOneHost());
        return p;
    }

    /**
     * A broker's defaults are sized for a shared server: 128 MiB of heap for the log cleaner's offset map alone
     * (more than the rest of this process's live heap), 8 request handlers, 3 network threads, 10 background
     * threads. Here one collector and one Streams instance are the only clients, and the compacted topics
     * (changelogs, consumer offsets, transaction state) hold thousands of keys, not millions.
     */
    static Map<String, String> sizedForOneHost() {
        Map<String, String> p = new TreeMap<>();
        // Each key costs 24 bytes in the offset map; 4 MiB dedupes ~170k keys per cleaning pass.
        p.put("log.cleaner.dedupe.buffer.size", Long.toString(4L << 20));
        p.put("log.cleaner.io.buffer.size", Long.toString(256L << 10));
        p.put("log.cleaner.threads", "1");
        p.put("num.network.threads", "1");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("num.replica.fetchers", "1");
        p.put("group.coordinator.threads", "1");
        p.put("share.coordinator.threads", "1");
        // The active controller appends a no-op record to the metadata log every 500 ms by default, so that brokers
        // and other controllers can tell a live quorum from a stale one by its high watermark moving (KIP-835).
        // Each is an append, an fsync and a round of the metadata listeners: most of KRaft's CPU at rest. With one
        // node there is no one else to tell; every 10 s keeps the metric alive.
        p.put("metadata.max.idle.interval.ms", "10000");
        return p;
    }

    private static void format(Path logDir) {
        String clusterId = Uuid.randomUuid().toString();
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setClusterId(clusterId)
                    .setNodeId(NODE_ID)
                    .setDirectories(List.of(logDir.toString()))
                    // No metadata.log.dir is set, so the metadata log lives in the one log dir.
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName(CONTROLLER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka log directory " + logDir + ": " + e.getMessage(), e);
        }
        log.info("formatted {} for a new single-node cluster {}", logDir, clusterId);
    }

    private void awaitReady(Duration timeout) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the broker did not answer on " + bootstrap + " within " + timeout.toSeconds() + " s", e);
        }
    }

    String bootstrapServers() {
        return bootstrap;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Controlled shutdown: the log is flushed and the next start skips recovery. */
    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
    }
}
