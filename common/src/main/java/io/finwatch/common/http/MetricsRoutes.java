package io.finwatch.common.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.function.Supplier;

/** /metrics in the Prometheus text format and /healthz (200 when healthy, 503 otherwise). */
public final class MetricsRoutes {
    private MetricsRoutes() {
    }

    /** What /healthz says: {@code healthy} decides the status code; {@code detail} is shown to the caller. */
    public record Health(boolean healthy, String detail) {
    }

    public static HttpEndpoint install(HttpEndpoint http, PrometheusMeterRegistry registry, Supplier<Health> health) {
        http.route("/metrics", ex -> HttpEndpoint.respond(ex, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.route("/healthz", ex -> {
            Health h = health.get();
            HttpEndpoint.respond(ex, h.healthy() ? 200 : 503, "application/json",
                    HttpEndpoint.jsonObject(
                            Map.of("status", h.healthy() ? "UP" : "DOWN", "detail", h.detail())));
        });
        return http;
    }
}
