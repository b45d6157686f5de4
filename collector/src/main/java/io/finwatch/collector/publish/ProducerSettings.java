package io.finwatch.collector.publish;

import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer configuration: our defaults, then the operator's extra properties (TLS, SASL, client.id, tuning
 * from {@code --kafka-config}), then the safety settings that the no-loss/in-order guarantee rests on.
 *
 * <p>Not overridable (a user value is logged and ignored): {@code acks=all}, {@code enable.idempotence=true},
 * {@code retries} (unbounded; {@code delivery.timeout.ms} bounds each attempt, the publisher re-sends after it),
 * the byte-array serializers, and no {@code transactional.id}. Clamped: {@code max.in.flight.requests.per.connection}
 * to at most 5 (idempotence keeps order only up to 5) and {@code max.block.ms} to at most 5 s (a send blocked on
 * metadata must not hold up shutdown). Everything else, including compression, batching, buffer.memory and
 * delivery.timeout.ms, may be overridden.
 */
public final class ProducerSettings {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerSettings.class);
    static final int MAX_IN_FLIGHT_LIMIT = 5;
    static final long MAX_BLOCK_LIMIT_MS = 5_000;
    private static final Map<String, String> FORCED = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
    private static final Set<String> REMOVED = Set.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG);

    private ProducerSettings() {
    }

    public static Properties build(String bootstrapServers, Properties user) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "finwatch-collector");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(128 * 1024));
        // Bounded: the durable backlog lives in the Chronicle queue, not in producer memory.
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(32L << 20));
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, Integer.toString(MAX_IN_FLIGHT_LIMIT));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        // Past this a batch fails with a retriable TimeoutException and the publisher re-sends from its last
        // acknowledged position; long enough to ride out a broker restart or leader election.
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        // No push of the client's own metrics to the broker (KIP-714): the collector exports them on /metrics, and
        // the telemetry reporter alone loads ~70 classes (OpenTelemetry's protobuf among them) into a daemon whose
        // class metadata is half its memory (docs/benchmarks.md, "Session 11"). A cluster that collects client
        // metrics can turn it back on through --kafka-config.
        p.put(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, "false");
        for (String name : user.stringPropertyNames()) {
            String value = user.getProperty(name);
            if (FORCED.containsKey(name) && !FORCED.get(name).equals(value) || REMOVED.contains(name)) {
                LOG.warn("ignoring producer property {}={}: the collector's delivery guarantee depends on it", name,
                        value);
                continue;
            }
            p.put(name, value);
        }
        p.putAll(FORCED);
        clamp(p, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, MAX_IN_FLIGHT_LIMIT);
        clamp(p, ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_LIMIT_MS);
        return p;
    }

    private static void clamp(Properties p, String name, long max) {
        long value = Long.parseLong(p.getProperty(name).trim());
        if (value > max) {
            LOG.warn("producer property {}={} lowered to {}", name, value, max);
            p.put(name, Long.toString(max));
        }
    }
}
