package io.finwatch.streams.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
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

    public DetectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("finwatch_streams_open_fin_wait2", this, m -> m.openTotal(false))
                .description("FIN_WAIT2 episodes currently open in this instance's tasks, by whether a process still holds the socket")
                .tag("state", "attached").register(registry);
        Gauge.builder("finwatch_streams_open_fin_wait2", this, m -> m.openTotal(true))
                .description("FIN_WAIT2 episodes currently open in this instance's tasks, by whether a process still holds the socket")
                .tag("state", "orphaned").register(registry);
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

    /** A task's open-episode counters; the task sets them from its store when it starts and moves them with every change. */
    public OpenSockets openSockets(String taskId) {
        OpenSockets open = new OpenSockets();
        openByTask.put(taskId, open);
        return open;
    }

    public void closeTask(String taskId) {
        openByTask.remove(taskId);
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

    private Counter counter(String name, String description, String... tags) {
        String id = name + String.join("\u0000", tags);
        return counters.computeIfAbsent(id, k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    /** Open FIN_WAIT2 episodes of one task. */
    public static final class OpenSockets {
        private final AtomicLong attached = new AtomicLong();
        private final AtomicLong orphaned = new AtomicLong();

        public void add(boolean isOrphaned, long delta) {
            (isOrphaned ? orphaned : attached).addAndGet(delta);
        }

        public void reset() {
            attached.set(0);
            orphaned.set(0);
        }
    }
}
