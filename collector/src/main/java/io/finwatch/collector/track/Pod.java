package io.finwatch.collector.track;

import java.util.Map;

/**
 * A pod of this node as the Kubernetes API describes it: what a pod UID from a cgroup is worth in names.
 *
 * @param uid               metadata.uid
 * @param name              metadata.name
 * @param namespace         metadata.namespace (the Kubernetes namespace, not the network namespace)
 * @param workload          the controller at the top of its owner chain (the pod itself when none owns it)
 * @param hostNetwork       spec.hostNetwork: the pod shares the host's network namespace and its sysctls
 * @param finTimeoutSeconds the {@code net.ipv4.tcp_fin_timeout} its spec.securityContext.sysctls sets, or null
 * @param containerNames    container id (64 hex, the runtime's prefix such as {@code containerd://} removed) to the
 *                          name of the container in the spec, for every container that has started
 */
public record Pod(String uid, String name, String namespace, Workload workload, boolean hostNetwork,
                  Integer finTimeoutSeconds, Map<String, String> containerNames) {

    public Pod {
        containerNames = Map.copyOf(containerNames);
    }

    /** The container's name in the spec, or null when the id is not one of this pod's. */
    public String containerName(String containerId) {
        return containerId == null ? null : containerNames.get(containerId);
    }

    /**
     * A controller owning pods: {@code Deployment} (through its ReplicaSet), {@code StatefulSet}, {@code DaemonSet},
     * {@code CronJob} (through its Job), {@code Job}, {@code ReplicaSet}, another controller's kind, or {@code Pod}
     * for a pod nothing owns.
     */
    public record Workload(String kind, String name) {
    }
}
