package io.finwatch.streams.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** Store metrics of two store types, named by different tag keys, both reach Prometheus. */
class StoreMetricTagsTest {

    @Test
    void storesOfEveryTypeShareOneSetOfTagKeys() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(StoreMetricTags.FILTER);
        Gauge.builder("kafka.stream.state.record.e2e.latency.avg", () -> 1.0).tags("task.id", "0_0", "rocksdb.state.id", "finwatch-dedup")
                .register(registry);
        Gauge.builder("kafka.stream.state.record.e2e.latency.avg", () -> 2.0).tags("task.id", "0_0", "rocksdb.window.state.id", "dwell-1m")
                .register(registry);

        assertThat(registry.scrape())
                .contains("kafka_stream_state_record_e2e_latency_avg{state_id=\"finwatch-dedup\",store_type=\"rocksdb\",task_id=\"0_0\"} 1.0")
                .contains("kafka_stream_state_record_e2e_latency_avg{state_id=\"dwell-1m\",store_type=\"rocksdb.window\",task_id=\"0_0\"} 2.0");
    }
}
