package io.finwatch.streams.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@value #NAME}{host, k8s_namespace, workload}: sockets of the workload that were declared STUCK and have not
 * left FIN_WAIT2 since, summed over this instance's tasks. A series exists only while its count is above zero, so
 * a workload's series goes away (and its alert resolves) with its last stuck socket, and workloads that were
 * stuck once do not pile up as zeros.
 */
final class StuckSocketGauges {
    static final String NAME = "finwatch_streams_stuck_sockets";

    private record Series(AtomicLong count, Gauge gauge) {
    }

    private final MeterRegistry registry;
    private final Map<WorkloadLabels, Series> live = new ConcurrentHashMap<>();

    StuckSocketGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    void add(WorkloadLabels w, long delta) {
        live.compute(w, (k, cur) -> {
            long next = (cur == null ? 0 : cur.count().get()) + delta;
            if (next <= 0) {
                if (cur != null) {
                    registry.remove(cur.gauge());
                }
                return null;
            }
            if (cur != null) {
                cur.count().set(next);
                return cur;
            }
            AtomicLong count = new AtomicLong(next);
            Gauge gauge = Gauge.builder(NAME, count, AtomicLong::get)
                    .description("Sockets declared STUCK that are still in FIN_WAIT2, per host and workload (the process name outside Kubernetes)")
                    .tag("host", k.host()).tag("k8s_namespace", k.k8sNamespace()).tag("workload", k.workload())
                    .strongReference(true).register(registry);
            return new Series(count, gauge);
        });
    }
}
