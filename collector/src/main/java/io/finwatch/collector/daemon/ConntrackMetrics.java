package io.finwatch.collector.daemon;

import io.finwatch.collector.track.ConntrackStats;
import io.finwatch.collector.track.PollResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * Conntrack lookups of closing sockets on /metrics, from the latest poll's {@link ConntrackStats} (all 0 with
 * {@code --no-conntrack}). What each means in operation is in docs/operations.md ("Metrics").
 */
final class ConntrackMetrics {
    /** Written by the poll thread, read by the scrape. */
    private volatile ConntrackStats latest = ConntrackStats.NONE;

    ConntrackMetrics(MeterRegistry registry) {
        counter(registry, "finwatch_conntrack_lookups", ConntrackStats::lookups,
                "ctnetlink GETs of closing sockets' connections (the socket's own namespace and the host's)");
        counter(registry, "finwatch_conntrack_found", ConntrackStats::found, "GETs that found an entry");
        counter(registry, "finwatch_conntrack_translated", ConntrackStats::translated,
                "Entries found that translate the connection (SNAT or DNAT)");
        counter(registry, "finwatch_conntrack_lookups_denied", ConntrackStats::denied,
                "GETs refused with EPERM: the collector lacks CAP_NET_ADMIN (in the namespace's user namespace)");
        counter(registry, "finwatch_conntrack_errors", ConntrackStats::errors,
                "GETs that failed otherwise, or could not be made (the namespace could not be entered)");
        Gauge.builder("finwatch_conntrack_episodes", this, m -> m.latest.episodes())
                .description("Closing sockets whose lookup result is held for the rest of their episode")
                .register(registry);
    }

    void record(PollResult poll) {
        latest = poll.conntrack().stats();
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<ConntrackStats> value,
                         String description) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.latest)).description(description)
                .register(registry);
    }
}
