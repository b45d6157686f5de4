package io.finwatch.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.common.config.HostPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HttpEndpointTest {
    private final HttpClient client = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusMetricsAndHealthThatFollowsTheSupplier() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("finwatch_test_events").increment(3);
        AtomicBoolean up = new AtomicBoolean(true);
        try (HttpEndpoint http = HttpEndpoint.bind(new HostPort("127.0.0.1", 0), "--metrics", 2)) {
            MetricsRoutes.install(http, registry, () -> new MetricsRoutes.Health(up.get(), up.get() ? "polling" : "stalled"));
            http.start();

            HttpResponse<String> metrics = get(http.port(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("finwatch_test_events_total 3.0");

            assertThat(get(http.port(), "/healthz").statusCode()).isEqualTo(200);
            up.set(false);
            HttpResponse<String> down = get(http.port(), "/healthz");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("stalled");
        }
    }

    @Test
    void aPortInUseIsAClearErrorNamingTheOption() {
        try (HttpEndpoint first = HttpEndpoint.bind(new HostPort("127.0.0.1", 0), "--http", 1)) {
            HostPort taken = new HostPort("127.0.0.1", first.port());
            assertThatThrownBy(() -> HttpEndpoint.bind(taken, "--http", 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(taken + " is already in use")
                    .hasMessageContaining("--http");
        }
    }
}
