package io.finwatch.streams.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@value #NAME}{host}: how long the collector of a host the detector holds silent has not been heard, as of the
 * last check (every punctuation). The series exists only while the host is silent: a host that is heard again, or
 * whose partition moves to another instance, loses it here.
 */
final class SilentCollectorGauges {
    static final String NAME = "finwatch_streams_collector_silent_seconds";

    private final MeterRegistry registry;
    private final Map<String, Map<String, Double>> byTask = new HashMap<>();
    private final Map<String, Double> seconds = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new HashMap<>();

    SilentCollectorGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The task's silent hosts now, host to seconds since last heard; replaces what the task said before. */
    synchronized void set(String taskId, Map<String, Double> silent) {
        Map<String, Double> before = silent.isEmpty() ? byTask.remove(taskId) : byTask.put(taskId, Map.copyOf(silent));
        if (before == null && silent.isEmpty()) {
            return;
        }
        silent.forEach((host, s) -> {
            seconds.put(host, s);
            gauges.computeIfAbsent(host, h -> Gauge.builder(NAME, seconds, m -> m.getOrDefault(h, Double.NaN))
                    .description("Seconds since the collector of a host held silent was last heard (present only while silent)")
                    .tag("host", h).register(registry));
        });
        if (before != null) {
            before.keySet().stream().filter(h -> !silent.containsKey(h)).toList().forEach(this::dropUnlessHeldElsewhere);
        }
    }

    synchronized void remove(String taskId) {
        Map<String, Double> before = byTask.remove(taskId);
        if (before != null) {
            before.keySet().forEach(this::dropUnlessHeldElsewhere);
        }
    }

    private void dropUnlessHeldElsewhere(String host) {
        for (Map<String, Double> other : byTask.values()) {
            if (other.containsKey(host)) {
                seconds.put(host, other.get(host));
                return;
            }
        }
        seconds.remove(host);
        Gauge g = gauges.remove(host);
        if (g != null) {
            registry.remove(g);
        }
    }
}
