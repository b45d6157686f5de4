package io.finwatch.streams.app;

import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.MetricsRoutes;
import io.finwatch.common.config.HostPort;
import io.finwatch.streams.config.FormatLocale;
import io.finwatch.streams.config.KafkaStreamsProperties;
import io.finwatch.streams.config.PunctuationAlarm;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.query.AdvertisedAddress;
import io.finwatch.streams.query.Answer;
import io.finwatch.streams.query.ApiException;
import io.finwatch.streams.query.ApiRoutes;
import io.finwatch.streams.query.ApiSecurity;
import io.finwatch.streams.query.BearerGuard;
import io.finwatch.streams.query.Forwarder;
import io.finwatch.streams.query.QueryRouter;
import io.finwatch.streams.query.RootRoutes;
import io.finwatch.streams.query.TlsContexts;
import io.finwatch.streams.topology.FinwatchTopology;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running detector instance: its topics checked, its HTTP endpoint bound, Kafka Streams started.
 * {@link #close()} commits the open transaction and releases the port; it is what SIGTERM and Ctrl-C end in.
 *
 * <p>HTTP routes: {@code /metrics}, {@code /healthz}, the query API under {@code /api/} (docs/api.md), and
 * {@code /} for the dashboard when {@link StreamsAppConfig.Builder#dashboard} gave one (any other path is a JSON 404).
 * With a token configured every route but {@code /healthz} and the dashboard page needs it.
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
        FormatLocale.pin();
        registry.config().meterFilter(StoreMetricTags.FILTER);
        StreamsHealth health = new StreamsHealth();
        ApiSecurity security = config.security();
        SSLContext serverTls = security.tls() ? TlsContexts.server(security.keystore(), security.keystorePassword()) : null;
        SSLContext forwardTls = security.tls()
                ? TlsContexts.client(security.truststore() == null ? security.keystore() : security.truststore(),
                        security.truststorePassword() == null ? security.keystorePassword() : security.truststorePassword())
                : null;
        // Bound first: a taken port fails the start before any Kafka client exists; /healthz says CREATED until it runs.
        HttpEndpoint http = HttpEndpoint.bind(config.http(), "--http", config.httpLimits(), serverTls);
        if (security.token() != null) {
            // The dashboard page holds no data and a browser cannot send a token with a page load; the page asks for the
            // token and sends it with each of its /api requests.
            http.guard(new BearerGuard(security.token(), Set.of("/healthz", "/")));
        }
        // Served from the start, so /healthz says CREATED while the topics are checked; the API and the page answer
        // 503 until Kafka Streams exists.
        Deferred api = new Deferred();
        Deferred root = new Deferred();
        MetricsRoutes.install(http, registry, health::health)
                .limitedRoute(ApiRoutes.PATH_SPEC, api)
                .route("/", root)
                .start();
        try {
            Properties kafka = withApplicationServer(config.kafka(), config.http(), http.port());
            LOG.info("kafka streams properties: {}", KafkaStreamsProperties.forLog(kafka));
            int partitions = TopicSetup.ensure(kafka, config.settings(), config.createTopics(), config.partitions(),
                    config.replicationFactor());
            Topology topology = FinwatchTopology.buildTopology(config.settings(), new DetectorMetrics(registry));
            LOG.debug("topology:\n{}", topology.describe());
            PunctuationAlarm alarm = alarmFor(kafka);
            KafkaStreams streams = alarm == null ? new KafkaStreams(topology, kafka)
                    : new KafkaStreams(topology, kafka, new AlarmedClientSupplier(alarm));
            HostInfo self = HostInfo.buildFromEndpoint(kafka.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG));
            QueryRouter router = new QueryRouter(streams, self, partitions, config.settings().transitionsTopic(),
                    new Forwarder(forwardTls, security.token(), config.forwardTimeout()));
            api.set(new ApiRoutes(router, config.clock()));
            root.set(new RootRoutes(config.dashboard()));
            KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
            streamsMetrics.bindTo(registry);
            StreamsApp app = new StreamsApp(streams, http, streamsMetrics, health);
            streams.setStateListener((now, before) -> {
                if (alarm != null) {
                    alarm.running(now == KafkaStreams.State.RUNNING);
                }
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
            LOG.info("{} on {}:{}: /metrics, /healthz, /api/*{}{}; advertised to the other instances as {}", http.tls() ? "https" : "http",
                    config.http().host(), http.port(), config.dashboard() == null ? "" : ", / (dashboard)",
                    security.token() == null ? "" : " (bearer token on all but /healthz)", self.host() + ":" + self.port());
            return app;
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
    }

    /** A route whose handler exists only once Kafka Streams does; a 503 with Retry-After until then. */
    private static final class Deferred implements HttpEndpoint.Route {
        private volatile HttpEndpoint.Route route;

        void set(HttpEndpoint.Route value) {
            route = value;
        }

        @Override
        public void handle(Request request, Response response, Callback callback) throws Exception {
            HttpEndpoint.Route r = route;
            if (r != null) {
                r.handle(request, response, callback);
            } else {
                ApiRoutes.send(request, response, callback, Answer.error(ApiException.unavailable("starting: the topics are being checked",
                        QueryRouter.REBALANCE_RETRY_S)));
            }
        }
    }

    /**
     * Where an idle poll waits longer than Kafka Streams' default {@code poll.ms} (local's detector), a
     * {@link PunctuationAlarm}, put among the configs {@code kafka} so that the processors find it; the main
     * consumer's poll heeds it, so punctuations with work run on time. Null otherwise.
     */
    private static PunctuationAlarm alarmFor(Properties kafka) {
        String pollMs = kafka.getProperty(StreamsConfig.POLL_MS_CONFIG);
        if (pollMs == null || !pollMs.trim().matches("\\d{1,18}") || !PunctuationAlarm.wanted(Long.parseLong(pollMs.trim()))) {
            return null; // not a number: Kafka Streams' own check of poll.ms refuses it, naming the setting
        }
        PunctuationAlarm alarm = new PunctuationAlarm();
        kafka.put(PunctuationAlarm.CONFIG, alarm);
        return alarm;
    }

    /**
     * The properties with {@code application.server} set: as given, or the HTTP address (its bound port, a host
     * name for a wildcard bind), because the query API finds a key's owner by it. And with a static
     * {@code group.instance.id}: as given, none when given empty, or else named after that address, which is unique
     * per instance (the others route queries by it) and the same when the instance comes back. A static member that
     * crashed and restarts within the session timeout takes its tasks back without a rebalance.
     */
    static Properties withApplicationServer(Properties given, HostPort listen, int boundPort) {
        Properties p = new Properties();
        p.putAll(given);
        String configured = p.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG);
        if (configured == null || configured.isBlank()) {
            p.setProperty(StreamsConfig.APPLICATION_SERVER_CONFIG, AdvertisedAddress.of(listen, boundPort).toString());
        }
        String instance = p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (instance == null) {
            p.setProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId(p.getProperty(StreamsConfig.APPLICATION_SERVER_CONFIG)));
        } else if (instance.isBlank()) {
            p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        }
        return p;
    }

    /** A group.instance.id from an address: Kafka allows letters, digits, '.', '_' and '-' only. */
    static String instanceId(String address) {
        String id = address.replaceAll("[^a-zA-Z0-9._-]", "_");
        return id.length() > 200 ? id.substring(0, 200) : id;
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
        LOG.info("stopping: closing kafka streams (commits the current transaction, leaves the group)");
        // Leaving hands this instance's tasks to the others at once (to the next start of a lone instance), instead
        // of after the session timeout; a member that crashed instead comes back under its static group.instance.id.
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(CLOSE_TIMEOUT));
        http.close();
        streamsMetrics.close();
    }
}
