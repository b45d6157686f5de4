package io.finwatch.collector.events;

import io.finwatch.collector.track.KubernetesView;
import io.finwatch.collector.track.Pod;
import io.finwatch.collector.track.PodPort;
import io.finwatch.collector.track.ProcessInfo;
import io.finwatch.schemas.KubernetesApiState;
import io.finwatch.schemas.PodIdentity;

/** A process's or a namespace's pod as the events carry it (schemas' PodIdentity). */
final class PodIdentities {
    private PodIdentities() {
    }

    /** The pod of a process: its cgroup's UID, named through the API when the pod is known there. */
    static PodIdentity ofProcess(ProcessInfo process, PodPort pods) {
        if (process == null || process.podUid() == null) {
            return null;
        }
        return build(process.podUid(), process.containerId(), pods);
    }

    /** The pod whose network namespace it is (no container: the namespace is the whole pod's). */
    static PodIdentity ofPod(String podUid, PodPort pods) {
        return podUid == null ? null : build(podUid, null, pods);
    }

    static KubernetesApiState state(KubernetesView view) {
        return switch (view.state()) {
            case OFF -> KubernetesApiState.OFF;
            case SYNCED -> KubernetesApiState.SYNCED;
            case DEGRADED -> KubernetesApiState.DEGRADED;
        };
    }

    private static PodIdentity build(String uid, String containerId, PodPort pods) {
        Pod pod = pods.pod(uid);
        PodIdentity.Builder b = PodIdentity.newBuilder().setPodUid(uid);
        if (pod != null) {
            // The API's uid: a static pod's cgroup names its manifest's hash, its mirror pod has a uid of its own.
            b.setPodName(pod.name())
                    .setK8sNamespace(pod.namespace())
                    .setContainerName(pod.containerName(containerId))
                    .setWorkloadKind(pod.workload().kind())
                    .setWorkloadName(pod.workload().name());
        }
        return b.build();
    }
}
