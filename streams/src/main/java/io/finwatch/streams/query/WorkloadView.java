package io.finwatch.streams.query;

/**
 * One element of {@code GET /api/workloads}: a workload's sockets open in FIN_WAIT2 and, of those, the ones declared
 * STUCK, summed over the hosts it runs on. Outside Kubernetes a workload is a program (its command name), with
 * {@code k8s_namespace} and {@code kind} empty.
 *
 * @param hosts how many hosts hold its open sockets
 */
public record WorkloadView(String k8sNamespace, String kind, String name, long attached, long orphaned, long stuck,
                           long stuckAttached, int hosts, boolean stale) implements Element {

    /** Open FIN_WAIT2 sockets, attached and orphaned. */
    public long open() {
        return attached + orphaned;
    }

    WorkloadView plus(WorkloadView o) {
        return new WorkloadView(k8sNamespace, kind, name, attached + o.attached, orphaned + o.orphaned, stuck + o.stuck,
                stuckAttached + o.stuckAttached, hosts + o.hosts, stale || o.stale);
    }

    String identity() {
        return k8sNamespace + '|' + kind + '|' + name;
    }
}
