package io.finwatch.common.http;

import io.micrometer.core.instrument.FunctionCounter;
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
        FunctionCounter.builder("finwatch_http_request_timeouts", http, HttpEndpoint::closedForRequestTimeout)
                .description("HTTP connections closed because no whole request arrived within the request timeout")
                .register(registry);
        http.route("/metrics", (req, rsp, cb) -> HttpEndpoint.respond(req, rsp, cb, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        http.route("/healthz", (req, rsp, cb) -> {
            Health h = health.get();
            HttpEndpoint.respond(req, rsp, cb, h.healthy() ? 200 : 503, HttpEndpoint.JSON,
                    HttpEndpoint.jsonObject(Map.of("status", h.healthy() ? "UP" : "DOWN", "detail", h.detail())));
        });
        return http;
    }
}
