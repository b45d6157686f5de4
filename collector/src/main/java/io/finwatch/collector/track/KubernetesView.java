package io.finwatch.collector.track;

/**
 * Whether the collector's view of its node's pods through the Kubernetes API can be used now.
 *
 * @param state  {@link State}
 * @param reason why it is {@link State#DEGRADED}, in one line; null otherwise
 */
public record KubernetesView(State state, String reason) {
    public static final KubernetesView OFF = new KubernetesView(State.OFF, null);
    public static final KubernetesView SYNCED = new KubernetesView(State.SYNCED, null);

    public enum State {
        /** Not configured: not in a cluster and no kubeconfig given. Pods are known by the UIDs of cgroups only. */
        OFF,
        /** The node's pods are listed and watched. */
        SYNCED,
        /**
         * Configured but not usable now (RBAC denied, API unreachable, a bad kubeconfig, not listed yet): pods are
         * known by the UIDs of cgroups only, and names come back once the list succeeds.
         */
        DEGRADED
    }

    public static KubernetesView degraded(String reason) {
        return new KubernetesView(State.DEGRADED, reason);
    }
}
