package io.finwatch.streams.metrics;

/**
 * What a stuck socket is charged to on the alerting gauges: its host, and the Kubernetes namespace and workload
 * (Deployment, StatefulSet, DaemonSet, CronJob, or the bare pod) of the process holding it. Outside Kubernetes, or
 * while the pod is not known, the workload is the process's command name and the namespace is empty: alerts then
 * group per host and program. Never a pid, a pod or a socket, so the series stay as few as the workloads.
 *
 * @param host         the host (node) name the collector reports
 * @param k8sNamespace the pod's Kubernetes namespace, or "" outside Kubernetes
 * @param workload     the pod's owning workload, or the process's command name, or "" when no owner was ever seen
 */
public record WorkloadLabels(String host, String k8sNamespace, String workload) {

    public WorkloadLabels {
        host = host == null ? "" : host;
        k8sNamespace = k8sNamespace == null ? "" : k8sNamespace;
        workload = workload == null ? "" : workload;
    }

    /**
     * @param k8sNamespace the pod's namespace; null or empty outside Kubernetes
     * @param workload     the pod's workload; null or empty outside Kubernetes
     * @param comm         the process's command name, the fallback; null for an orphan whose owner was never seen
     */
    public static WorkloadLabels of(String host, String k8sNamespace, String workload, String comm) {
        boolean inPod = workload != null && !workload.isEmpty();
        return inPod ? new WorkloadLabels(host, k8sNamespace, workload) : new WorkloadLabels(host, "", comm);
    }
}
