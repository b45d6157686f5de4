package io.finwatch.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The detector's own meters. Shared by every task of the instance: tasks come and go with rebalances,
 * so the open-socket gauges sum per-task counters that a task registers when it starts and removes when
 * it closes.
 */
public final class DetectorMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, OpenSockets> openByTask = new ConcurrentHashMap<>();
    private final Map<String, EventLag> lagByTask = new ConcurrentHashMap<>();
    private final StuckSocketGauges stuck;
    private final SilentCollectorGauges silent;

    public DetectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("finwatch_streams_open_fin_wait2", this, m -> m.openTotal(false))
                .description("FIN_WAIT2 episodes currently open in this instance's tasks, by whether a process still holds the socket")
                .tag("state", "attached").register(registry);
        Gauge.builder("finwatch_streams_open_fin_wait2", this, m -> m.openTotal(true))
                .description("FIN_WAIT2 episodes currently open in this instance's tasks, by whether a process still holds the socket")
                .tag("state", "orphaned").register(registry);
        this.stuck = new StuckSocketGauges(registry);
        this.silent = new SilentCollectorGauges(registry);
        Gauge.builder("finwatch_streams_event_lag_seconds", this, m -> m.maxLagMs() / 1000.0)
                .description("Largest lag, over this instance's tasks, of the records processed in the last punctuation interval: "
                        + "wall clock minus the collector's append time (0 when nothing waited)")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void anomaly(String kind, String reason) {
        counter("finwatch_streams_anomalies_total", "Anomalies emitted", "kind", kind, "reason", reason).increment();
    }

    public void deadLetter(String topic, String error) {
        counter("finwatch_streams_dlq_records_total", "Input records sent to the dead-letter topic because they could not be decoded",
                "topic", topic, "error", error).increment();
    }

    public void duplicate(String topic) {
        counter("finwatch_streams_duplicates_dropped_total", "Events dropped because their (collector_id, epoch, seq) was already processed",
                "topic", topic).increment();
    }

    /** Heartbeats taken after waiting their longest for the transitions numbered before them (lost in transit, or a restart). */
    public void heartbeatsTakenUnordered(int n) {
        if (n > 0) {
            counter("finwatch_streams_heartbeats_unordered_total",
                    "Heartbeats taken before every transition numbered below them was processed, after waiting their longest").increment(n);
        }
    }

    /** A task's open-episode counters; the task sets them from its store when it starts and moves them with every change. */
    public OpenSockets openSockets(String taskId) {
        OpenSockets open = new OpenSockets(stuck);
        OpenSockets before = openByTask.put(taskId, open);
        if (before != null) {
            before.reset();
        }
        return open;
    }

    /** A task's event lag; the task observes every record and publishes at every punctuation. */
    public EventLag eventLag(String taskId) {
        EventLag lag = new EventLag();
        lagByTask.put(taskId, lag);
        return lag;
    }

    /**
     * The hosts the task holds silent now, with when each was last heard (epoch ms), as of {@code now}; replaces
     * what the task reported before.
     */
    public void silentCollectors(String taskId, long now, Map<String, Long> lastHeardAt) {
        if (lastHeardAt.isEmpty()) {
            silent.set(taskId, Map.of());
            return;
        }
        Map<String, Double> seconds = new HashMap<>();
        lastHeardAt.forEach((host, heard) -> seconds.put(host, Math.max(0, now - heard) / 1000.0));
        silent.set(taskId, seconds);
    }

    public void closeTask(String taskId) {
        OpenSockets open = openByTask.remove(taskId);
        if (open != null) {
            // Its stuck sockets are counted again by whichever instance takes the task over.
            open.reset();
        }
        lagByTask.remove(taskId);
        silent.remove(taskId);
    }

    /** Sum of the counters of that name carrying the given tags (whatever their other tags). */
    public double counterValue(String name, String... tags) {
        return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
    }

    private double openTotal(boolean orphaned) {
        long sum = 0;
        for (OpenSockets o : openByTask.values()) {
            sum += orphaned ? o.orphaned.get() : o.attached.get();
        }
        return sum;
    }

    private long maxLagMs() {
        long max = 0;
        for (EventLag lag : lagByTask.values()) {
            max = Math.max(max, lag.reportedMs());
        }
        return max;
    }

    private Counter counter(String name, String description, String... tags) {
        String id = name + String.join("\u0000", tags);
        return counters.computeIfAbsent(id, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** Open FIN_WAIT2 episodes of one task, and those of them that are STUCK, per workload. */
    public static final class OpenSockets {
        private final AtomicLong attached = new AtomicLong();
        private final AtomicLong orphaned = new AtomicLong();
        private final StuckSocketGauges stuckGauges;
        /** Touched only by the task's thread (closeTask runs on it too, from the processor's close). */
        private final Map<WorkloadLabels, Long> stuck = new HashMap<>();

        OpenSockets(StuckSocketGauges stuckGauges) {
            this.stuckGauges = stuckGauges;
        }

        public void add(boolean isOrphaned, long delta) {
            (isOrphaned ? orphaned : attached).addAndGet(delta);
        }

        /** A STUCK episode of the workload began ({@code +1}), ended or moved to another workload ({@code -1}). */
        public void stuck(WorkloadLabels workload, long delta) {
            stuck.merge(workload, delta, (a, b) -> a + b == 0 ? null : a + b);
            stuckGauges.add(workload, delta);
        }

        public void reset() {
            attached.set(0);
            orphaned.set(0);
            stuck.forEach((w, n) -> stuckGauges.add(w, -n));
            stuck.clear();
        }
    }
}
