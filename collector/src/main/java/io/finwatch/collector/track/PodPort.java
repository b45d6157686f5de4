package io.finwatch.collector.track;

/**
 * What the collector knows of its node's pods through the Kubernetes API. {@code kube/NodePods} keeps it with an
 * informer; tests fake it. Answers from memory, never waiting on the API, so a poll can ask it for every socket.
 */
public interface PodPort {

    /** No Kubernetes API: every pod is known by its UID alone. */
    PodPort NONE = new PodPort() {
        @Override
        public Pod pod(String uid) {
            return null;
        }

        @Override
        public KubernetesView view() {
            return KubernetesView.OFF;
        }
    };

    /**
     * The pod whose cgroups are named after {@code uid}: its metadata.uid, or for a static pod the kubelet's hash of
     * its manifest (its mirror pod's {@code kubernetes.io/config.mirror} annotation).
     *
     * @return null when unknown (no API view, not listed yet, or already deleted)
     */
    Pod pod(String uid);

    /** Whether the view can be used now, and if not, why. */
    KubernetesView view();
}
