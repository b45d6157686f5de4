package io.finwatch.streams.app;

import io.finwatch.streams.dashboard.DashboardHandler;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.query.ApiSecurity;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything one running detector instance needs, whoever starts it: {@code ./finwatch streams} builds it from
 * its options, {@code ./finwatch local} from its own. A builder, so callers keep compiling as options are added.
 */
public final class StreamsAppConfig {

    private final StreamsSettings settings;
    private final Properties kafka;
    private final HostPort http;
    private final boolean createTopics;
    private final int partitions;
    private final short replicationFactor;
    private final ApiSecurity security;
    private final HttpEndpoint.Route dashboard;
    private final Duration forwardTimeout;
    private final Clock clock;
    private final HttpLimits httpLimits;

    private StreamsAppConfig(Builder b) {
        this.settings = b.settings;
        this.kafka = b.kafka;
        this.http = b.http;
        this.createTopics = b.createTopics;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
        this.security = b.security;
        this.dashboard = b.dashboard;
        this.forwardTimeout = b.forwardTimeout;
        this.clock = b.clock;
        this.httpLimits = b.httpLimits;
    }

    /** @param kafka complete Kafka Streams properties (bootstrap servers, application id, state dir, security) */
    public static Builder builder(StreamsSettings settings, Properties kafka) {
        return new Builder(settings, kafka);
    }

    public StreamsSettings settings() {
        return settings;
    }

    public Properties kafka() {
        return kafka;
    }

    /** Where the HTTP endpoint (/metrics, /healthz and the query API) listens. */
    public HostPort http() {
        return http;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public int partitions() {
        return partitions;
    }

    public short replicationFactor() {
        return replicationFactor;
    }

    /** Token and TLS of the HTTP endpoint. */
    public ApiSecurity security() {
        return security;
    }

    /** What serves {@code GET /}; null when there is no dashboard. */
    public HttpEndpoint.Route dashboard() {
        return dashboard;
    }

    /** How long a request forwarded to another instance may take before it is a 503. */
    public Duration forwardTimeout() {
        return forwardTimeout;
    }

    /** The query API's clock (dwell to now, {@code since=10m}). */
    public Clock clock() {
        return clock;
    }

    /** What one HTTP client may hold: deadlines, header size, connections, the API's share of threads. */
    public HttpLimits httpLimits() {
        return httpLimits;
    }

    public static final class Builder {
        private final StreamsSettings settings;
        private final Properties kafka;
        private HostPort http = new HostPort("127.0.0.1", 8080);
        private boolean createTopics = true;
        private int partitions = 6;
        private short replicationFactor = 1;
        private ApiSecurity security = ApiSecurity.NONE;
        // Every instance serves the page: it is static and reads only the API, so any instance will do for a browser.
        private HttpEndpoint.Route dashboard = new DashboardHandler();
        private Duration forwardTimeout = Duration.ofSeconds(5);
        private Clock clock = Clock.systemUTC();
        private HttpLimits httpLimits = HttpLimits.api();

        private Builder(StreamsSettings settings, Properties kafka) {
            this.settings = Objects.requireNonNull(settings);
            this.kafka = Objects.requireNonNull(kafka);
        }

        public Builder http(HostPort address) {
            this.http = Objects.requireNonNull(address);
            return this;
        }

        /** Creates missing topics with these counts at start; otherwise a missing topic fails the start. */
        public Builder topics(boolean create, int partitionCount, short replication) {
            this.createTopics = create;
            this.partitions = partitionCount;
            this.replicationFactor = replication;
            return this;
        }

        public Builder security(ApiSecurity value) {
            this.security = Objects.requireNonNull(value);
            return this;
        }

        /** What serves {@code GET /}: the dashboard page by default; null for none. */
        public Builder dashboard(HttpEndpoint.Route handler) {
            this.dashboard = handler;
            return this;
        }

        public Builder forwardTimeout(Duration timeout) {
            this.forwardTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value);
            return this;
        }

        public Builder httpLimits(HttpLimits value) {
            this.httpLimits = Objects.requireNonNull(value);
            return this;
        }

        public StreamsAppConfig build() {
            return new StreamsAppConfig(this);
        }
    }
}
