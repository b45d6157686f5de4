package io.finwatch.collector.daemon;

import io.finwatch.collector.kube.NodePods;
import io.finwatch.collector.track.KubernetesView;
import io.finwatch.collector.track.PodPort;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The collector's view of its node's pods, on /metrics (docs/operations.md, "Metrics"): whether it is usable, how
 * often it fell, the pods it knows and the owner gets that name their workloads.
 */
public final class KubernetesMetrics {
    private KubernetesMetrics() {
    }

    public static void bind(MeterRegistry registry, PodPort pods) {
        for (KubernetesView.State state : KubernetesView.State.values()) {
            Gauge.builder("finwatch_kubernetes_api_state", pods, p -> p.view().state() == state ? 1 : 0)
                    .tag("state", state.name())
                    .description("1 for the state the collector's view of its node's pods is in: OFF (not in a cluster, "
                            + "no --kubeconfig), SYNCED, DEGRADED (pods named by cgroup UIDs only; the log says why)")
                    .register(registry);
        }
        if (pods instanceof NodePods node) {
            FunctionCounter.builder("finwatch_kubernetes_degradations", node, NodePods::degradations)
                    .description("Times the Kubernetes view became unusable (RBAC denied, API unreachable, bad config)")
                    .register(registry);
            Gauge.builder("finwatch_kubernetes_pods", node, NodePods::pods)
                    .description("Pods of this node known through the API").register(registry);
            FunctionCounter.builder("finwatch_kubernetes_owner_gets", node, NodePods::ownerGets)
                    .description("Gets of a ReplicaSet or Job to name a pod's workload (cached per owner)")
                    .register(registry);
            FunctionCounter.builder("finwatch_kubernetes_owner_get_failures", node, NodePods::ownerGetFailures)
                    .description("Those that failed: the pod is then named by its ReplicaSet or Job")
                    .register(registry);
        }
    }
}
