package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;

/** Kubernetes resource quantities (the subset the manifests use: m, Ki/Mi/Gi, plain numbers). */
final class Resources {
    private static final Map<String, BigDecimal> SUFFIX = Map.of(
            "m", new BigDecimal("0.001"),
            "Ki", BigDecimal.valueOf(1L << 10), "Mi", BigDecimal.valueOf(1L << 20), "Gi", BigDecimal.valueOf(1L << 30));

    private Resources() {
    }

    static BigDecimal quantity(String text) {
        for (Map.Entry<String, BigDecimal> s : SUFFIX.entrySet()) {
            if (text.endsWith(s.getKey())) {
                return new BigDecimal(text.substring(0, text.length() - s.getKey().length())).multiply(s.getValue());
            }
        }
        return new BigDecimal(text);
    }

    static void assertRequestsWithinLimits(JsonNode container, String... names) {
        JsonNode r = container.path("resources");
        for (String n : names) {
            assertThat(r.path("requests").has(n)).as("requests.%s", n).isTrue();
            assertThat(r.path("limits").has(n)).as("limits.%s", n).isTrue();
            assertThat(quantity(r.path("requests").path(n).asText()))
                    .as("requests.%s <= limits.%s", n, n)
                    .isLessThanOrEqualTo(quantity(r.path("limits").path(n).asText()));
        }
    }
}
