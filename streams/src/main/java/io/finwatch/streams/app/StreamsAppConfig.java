package io.finwatch.streams.app;

import io.finwatch.common.config.HostPort;
import io.finwatch.streams.config.StreamsSettings;
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

    private StreamsAppConfig(Builder b) {
        this.settings = b.settings;
        this.kafka = b.kafka;
        this.http = b.http;
        this.createTopics = b.createTopics;
        this.partitions = b.partitions;
        this.replicationFactor = b.replicationFactor;
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

    public static final class Builder {
        private final StreamsSettings settings;
        private final Properties kafka;
        private HostPort http = new HostPort("127.0.0.1", 8080);
        private boolean createTopics = true;
        private int partitions = 6;
        private short replicationFactor = 1;

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

        public StreamsAppConfig build() {
            return new StreamsAppConfig(this);
        }
    }
}
