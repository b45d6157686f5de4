package io.finwatch.collector.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.finwatch.collector.track.Pod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The workload at the top of a pod's owner chain: a ReplicaSet's Deployment and a Job's CronJob are one get each
 * ({@code replicasets} and {@code jobs}: the collector's ClusterRole); StatefulSets, DaemonSets and other controllers
 * own their pods directly. Answers are cached per (namespace, kind, name), as an owner of a ReplicaSet or a Job does
 * not change: a node's hundred pods of one Deployment cost one get. A get that fails (RBAC, not found yet, the API
 * unreachable) names the ReplicaSet or Job itself, is told once per reason, and is asked again for the next pod.
 *
 * <p>Called from the informer's handler thread only.
 */
final class Workloads {
    private static final int MAX_CACHED = 4096;

    private final KubernetesClient client;
    /** (what failed, kind and cause: told once each; the whole line). */
    private final BiConsumer<String, String> failed;
    private final Map<String, Pod.Workload> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Pod.Workload> eldest) {
            return size() > MAX_CACHED;
        }
    };
    private long gets;

    Workloads(KubernetesClient client, BiConsumer<String, String> failed) {
        this.client = client;
        this.failed = failed;
    }

    Pod.Workload of(io.fabric8.kubernetes.api.model.Pod pod) {
        OwnerReference owner = PodRecords.controller(pod.getMetadata());
        if (owner == null) {
            return new Pod.Workload("Pod", pod.getMetadata().getName());
        }
        String namespace = pod.getMetadata().getNamespace();
        String kind = owner.getKind();
        if (!kind.equals("ReplicaSet") && !kind.equals("Job")) {
            return new Pod.Workload(kind, owner.getName());
        }
        String key = namespace + "/" + kind + "/" + owner.getName();
        Pod.Workload cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        Pod.Workload direct = new Pod.Workload(kind, owner.getName());
        HasMetadata parent;
        try {
            gets++;
            parent = kind.equals("ReplicaSet")
                    ? client.apps().replicaSets().inNamespace(namespace).withName(owner.getName()).get()
                    : client.batch().v1().jobs().inNamespace(namespace).withName(owner.getName()).get();
        } catch (KubernetesClientException e) {
            String cause = NodePods.describe(e);
            failed.accept(kind + ": " + cause, "cannot get " + kind + " " + namespace + "/" + owner.getName() + " to name its owner ("
                    + cause + "); pods it owns are named by the " + kind);
            return direct;
        }
        if (parent == null) {
            // Deleted, or not created yet in the API's cache: ask again for the next pod.
            return direct;
        }
        OwnerReference top = PodRecords.controller(parent.getMetadata());
        Pod.Workload workload = top == null ? direct : new Pod.Workload(top.getKind(), top.getName());
        cache.put(key, workload);
        return workload;
    }

    /** Owner gets made so far. */
    long gets() {
        return gets;
    }
}
