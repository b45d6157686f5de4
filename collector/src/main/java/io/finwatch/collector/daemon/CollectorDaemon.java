package io.finwatch.collector.daemon;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.publish.KafkaPublisher;
import io.finwatch.collector.publish.PublisherSettings;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PodPort;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.common.http.MetricsRoutes;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector process: the poll loop writes to the Chronicle buffer, the publisher drains it to Kafka, and an
 * HTTP endpoint serves /metrics and /healthz. Kafka being down only grows the buffer; polling never waits on it.
 */
public final class CollectorDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectorDaemon.class);

    /** What {@code collect --full-scan-every} defaults to. */
    public static final Duration DEFAULT_FULL_SCAN_EVERY = Duration.ofSeconds(10);

    /**
     * What the daemon needs; the collect command fills it from options.
     *
     * @param fullScanEvery how often each namespace's ESTABLISHED and LISTEN sockets are read too (see
     *                      {@link HostState.Settings#wholeReadEvery}); zero reads them at every poll
     * @param conntrack     whether closing sockets' connections are looked up in conntrack ({@code --[no-]conntrack})
     * @param netns         the namespaces watched and the one taken as the host's ({@code --netns},
     *                      {@code --host-netns})
     * @param destroyNotifications whether the kernel's destroy notifications are listened to (netlink source only)
     * @param stateFeed     whether the kernel's TCP state changes are read, so that polls between whole reads skip
     *                      the namespaces where none happened (netlink source only; {@code --[no-]state-feed})
     */
    public record Settings(Procfs procfs, SocketSource.Kind source, Duration interval, Duration fullScanEvery,
                           boolean attribution, String host, String collectorId,
                           BufferSettings buffer, PublisherSettings publisher, HostPort metrics, String version,
                           boolean conntrack, NetnsSelection netns, PodPort pods, boolean destroyNotifications,
                           boolean stateFeed) {

        /** Every namespace watched, conntrack lookups and destroy notifications on, no Kubernetes API. */
        public Settings(Procfs procfs, SocketSource.Kind source, Duration interval, Duration fullScanEvery,
                        boolean attribution, String host, String collectorId,
                        BufferSettings buffer, PublisherSettings publisher, HostPort metrics, String version) {
            this(procfs, source, interval, fullScanEvery, attribution, host, collectorId, buffer, publisher, metrics,
                    version, true, NetnsSelection.all(), PodPort.NONE, true, true);
        }

        /** No Kubernetes API; destroy notifications on. */
        public Settings(Procfs procfs, SocketSource.Kind source, Duration interval, Duration fullScanEvery,
                        boolean attribution, String host, String collectorId,
                        BufferSettings buffer, PublisherSettings publisher, HostPort metrics, String version,
                        boolean conntrack, NetnsSelection netns) {
            this(procfs, source, interval, fullScanEvery, attribution, host, collectorId, buffer, publisher, metrics,
                    version, conntrack, netns, PodPort.NONE, true, true);
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CollectorMetrics metrics = new CollectorMetrics(registry);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "finwatch-poll");
        t.setDaemon(true);
        return t;
    });
    private HostReader host;
    private EventBuffer buffer;
    private KafkaPublisher publisher;
    private HttpEndpoint http;
    private PollLoop loop;

    public CollectorDaemon(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public CollectorDaemon start() {
        new JvmMemoryMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        http = HttpEndpoint.bind(settings.metrics(), "--metrics", HttpLimits.metricsOnly());
        buffer = EventBuffer.open(settings.buffer());
        metrics.bindBuffer(buffer);
        publisher = new KafkaPublisher(buffer, settings.publisher().withStallAfter(settings.interval().multipliedBy(5)));
        metrics.bindPublisher(publisher);
        host = HostReader.open(settings.procfs(), settings.source(), settings.netns(), settings.destroyNotifications(),
                settings.stateFeed());
        if (host.feedProblem() != null) {
            log.warn("--state-feed: the kernel's TCP state changes cannot be read ({}); every namespace is read at "
                    + "every poll (finwatch_state_feed_active 0)", host.feedProblem());
        }
        HostState state = new HostState(clock,
                HostState.Settings.defaults().withWholeReadEvery(settings.fullScanEvery()),
                host.finTimeouts(), settings.attribution() ? host.processes() : null,
                settings.conntrack() ? host.conntrack() : null, host.addresses(), settings.pods());
        KubernetesMetrics.bind(registry, settings.pods());
        metrics.bindDestroys(host.destroys(), state.ends());
        metrics.bindFeed(host.feed());
        loop = new PollLoop(host, state, new EventFactory(settings.host(), settings.collectorId()),
                FinwatchSerde.shared(), buffer, publisher::wake, metrics, clock, settings.interval().toMillis(),
                settings.buffer().maxBytes(), settings.version());
        MetricsRoutes.install(http, registry, this::health).start();
        publisher.start();
        long period = settings.interval().toMillis();
        scheduler.scheduleAtFixedRate(loop, 0, period, TimeUnit.MILLISECONDS);
        log.info("collecting as host '{}' (collector id {}) every {} ms (whole tables every {} ms) from {} through {} "
                        + "({}; conntrack lookups {}){}{}; buffer {}; Kafka {}; metrics on http://{}/metrics",
                settings.host(), settings.collectorId(), period, Math.max(period, settings.fullScanEvery().toMillis()),
                settings.procfs().root(), settings.source(), settings.netns(), settings.conntrack() ? "on" : "off",
                host.destroys() != null ? " with destroy notifications" : " without destroy notifications",
                host.feed() != null ? " and the state-change feed (" + host.feed().clock() + " clock)"
                        : settings.stateFeed() && settings.source() == SocketSource.Kind.NETLINK
                        ? " and no state-change feed (refused)" : " and no state-change feed",
                settings.buffer().dir(),
                settings.publisher().bootstrapServers(), settings.metrics());
        return this;
    }

    /**
     * Healthy while polls succeed and the publisher is not stopped by an error an operator must fix or stalled.
     * Kafka being unreachable is not unhealthy (a restart would not bring it back, and polling goes on into the
     * buffer), but the detail says so, since when, and why.
     */
    MetricsRoutes.Health health() {
        Instant last = loop.lastSuccess();
        long stale = 3 * settings.interval().toMillis() + 5_000;
        if (last == null) {
            return new MetricsRoutes.Health(true, "starting");
        }
        if (Duration.between(last, clock.instant()).toMillis() > stale) {
            return new MetricsRoutes.Health(false, "no successful poll since " + last);
        }
        KafkaPublisher.State state = publisher.state();
        String detail = "publisher " + state + ": " + publisher.detail();
        if (state == KafkaPublisher.State.BLOCKED || state == KafkaPublisher.State.STOPPED
                || state == KafkaPublisher.State.STALLED) {
            return new MetricsRoutes.Health(false, detail + "; polling continues into the buffer");
        }
        return new MetricsRoutes.Health(true, "polling; " + detail);
    }

    public int metricsPort() {
        return http.port();
    }

    /** Stops polling, lets the publisher flush what it can within its timeout, and closes the queue cleanly. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (publisher != null) {
            publisher.close();
        }
        metrics.close();
        if (host != null) {
            host.close();
        }
        if (settings.pods() instanceof AutoCloseable pods) {
            try {
                pods.close();
            } catch (Exception e) {
                log.warn("closing the Kubernetes client: {}", e.toString());
            }
        }
        if (buffer != null) {
            buffer.close();
        }
        if (http != null) {
            http.close();
        }
        log.info("collector stopped; next seq {}", loop == null ? "-" : loop.nextSeq());
    }
}
