package io.finwatch.streams.app;

import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.MetricsRoutes;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.topology.FinwatchTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running detector instance: its topics checked, its HTTP endpoint bound, Kafka Streams started.
 * {@link #close()} commits the open transaction and releases the port; it is what SIGTERM and Ctrl-C end in.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaStreams streams;
    private final HttpEndpoint http;
    private final KafkaStreamsMetrics streamsMetrics;
    private final StreamsHealth health;
    private final CountDownLatch ended = new CountDownLatch(1);

    private StreamsApp(KafkaStreams streams, HttpEndpoint http, KafkaStreamsMetrics streamsMetrics, StreamsHealth health) {
        this.streams = streams;
        this.http = http;
        this.streamsMetrics = streamsMetrics;
        this.health = health;
    }

    /**
     * @throws IllegalStateException when the HTTP port is taken or the topics are missing or inconsistent; nothing
     *                               is left running then
     */
    public static StreamsApp start(StreamsAppConfig config, PrometheusMeterRegistry registry) {
        LOG.info("kafka streams properties: {}", KafkaStreamsProperties.forLog(config.kafka()));
        StreamsHealth health = new StreamsHealth();
        // Bound first: a taken port fails the start before any Kafka client exists; /healthz says CREATED until it runs.
        HttpEndpoint http = MetricsRoutes.install(HttpEndpoint.bind(config.http(), "--http", 4), registry, health::health).start();
        try {
            TopicSetup.ensure(config.kafka(), config.settings(), config.createTopics(), config.partitions(), config.replicationFactor());
            Topology topology = FinwatchTopology.buildTopology(config.settings(), new DetectorMetrics(registry));
            LOG.debug("topology:\n{}", topology.describe());
            KafkaStreams streams = new KafkaStreams(topology, config.kafka());
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            StreamsApp app = new StreamsApp(streams, http, streamsMetrics, health);
            streams.setStateListener((now, before) -> {
                health.onChange(now, before);
                LOG.info("kafka streams {} -> {}", before, now);
                if (now == KafkaStreams.State.NOT_RUNNING || now == KafkaStreams.State.ERROR) {
                    app.ended.countDown();
                }
            });
            streams.setUncaughtExceptionHandler(e -> {
                // Under exactly-once nothing half-done survives; stop the instance and let the supervisor restart it.
                LOG.error("stream thread failed; stopping this instance", e);
                return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            });
            streams.start();
            LOG.info("http on {}:{}: /metrics, /healthz", config.http().host(), http.port());
            return app;
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    public HttpEndpoint http() {
        return http;
    }

    /** The bound HTTP port (differs from the configured one when that was 0). */
    public int httpPort() {
        return http.port();
    }

    public KafkaStreams.State state() {
        return health.state();
    }

    /** Blocks until Kafka Streams stops (closed, or a stream thread failed); true when it ended in ERROR. */
    public boolean awaitTermination() throws InterruptedException {
        ended.await();
        return health.state() == KafkaStreams.State.ERROR;
    }

    @Override
    public void close() {
        LOG.info("stopping: closing kafka streams (commits the current transaction)");
        streams.close(CLOSE_TIMEOUT);
        http.close();
        streamsMetrics.close();
    }
}
