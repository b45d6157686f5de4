package io.finwatch.collector.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.finwatch.collector.track.KubernetesView;
import io.finwatch.collector.track.Pod;
import io.finwatch.collector.track.PodPort;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of this collector's node, kept by an informer (list, then watch) limited to {@code spec.nodeName}: what
 * names the pod UIDs of cgroups, and gives each pod's own fin timeout.
 *
 * <p>Without API access it degrades: pods are known by their cgroups' UIDs alone, the reason is logged once (again
 * only when it changes), each fall from a usable view is counted ({@link #degradations}), and the informer keeps
 * retrying with its backoff, so granting the RBAC or the API coming back restores the names without a restart.
 *
 * <p>{@link #pod} and {@link #view} are called by the poll loop and answer from memory; the informer's thread writes.
 */
public final class NodePods implements PodPort, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodePods.class);
    private static final int MAX_WARNED = 256;

    private final String nodeName;
    private final KubernetesClient client;
    private final SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> informer;
    private final Workloads workloads;
    /** A pod under its UID and, for a static pod, under the hash its cgroups are named after. */
    private final Map<String, Pod> byCgroupUid = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private final AtomicLong degradations = new AtomicLong();
    private final AtomicLong ownerGetFailures = new AtomicLong();
    private volatile boolean synced;
    /** Why the view cannot be used now; null while it can. */
    private volatile String failure;

    private NodePods(String nodeName, KubernetesClient client, String failure) {
        this.nodeName = nodeName;
        this.client = client;
        if (failure != null) {
            degrade(failure);
        }
        if (client == null) {
            informer = null;
            workloads = null;
            return;
        }
        workloads = new Workloads(client, this::ownerGetFailed);
        informer = client.pods().inAnyNamespace().withField("spec.nodeName", nodeName).runnableInformer(0);
        informer.exceptionHandler((started, t) -> {
            degrade(describe(t) + " (listing and watching the pods of node " + nodeName + ")");
            return true;
        });
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(io.fabric8.kubernetes.api.model.Pod pod) {
                put(pod);
            }

            @Override
            public void onUpdate(io.fabric8.kubernetes.api.model.Pod old, io.fabric8.kubernetes.api.model.Pod pod) {
                put(pod);
            }

            @Override
            public void onDelete(io.fabric8.kubernetes.api.model.Pod pod, boolean finalStateUnknown) {
                remove(pod);
            }
        });
    }

    /**
     * Starts the informer of {@code nodeName}'s pods on {@code client}, which it closes on {@link #close}. Returns at
     * once; {@link #view} says when the pods are listed.
     */
    public static NodePods start(KubernetesClient client, String nodeName) {
        NodePods pods = new NodePods(nodeName, client, null);
        pods.informer.start().whenComplete((ok, error) -> {
            if (error == null) {
                pods.synced = true;
                log.info("Kubernetes: {} pods of node {} listed; watching", pods.informer.getStore().list().size(),
                        nodeName);
            }
        });
        return pods;
    }

    /** A view that cannot be had at all (no node name, an unreadable kubeconfig): told once, counted once. */
    public static NodePods unusable(String reason) {
        return new NodePods(null, null, reason);
    }

    @Override
    public Pod pod(String uid) {
        return uid == null ? null : byCgroupUid.get(uid);
    }

    @Override
    public KubernetesView view() {
        String why = failure;
        if (why != null && informer != null && synced && informer.isWatching()) {
            // The informer's retries got through: RBAC granted, the API back.
            failure = null;
            why = null;
            log.info("Kubernetes: the pods of node {} are listed and watched again", nodeName);
        }
        if (why != null) {
            return KubernetesView.degraded(why);
        }
        return synced ? KubernetesView.SYNCED
                : KubernetesView.degraded("listing the pods of node " + nodeName + ": not listed yet");
    }

    /** Times the view became unusable (once per fall, whatever the retries in between). */
    public long degradations() {
        return degradations.get();
    }

    /** Pods known now. */
    public int pods() {
        return informer == null ? 0 : informer.getStore().list().size();
    }

    /** Gets of a ReplicaSet or a Job made to name a workload. */
    public long ownerGets() {
        return workloads == null ? 0 : workloads.gets();
    }

    /** Those that failed (the pod is then named by the ReplicaSet or Job). */
    public long ownerGetFailures() {
        return ownerGetFailures.get();
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private void put(io.fabric8.kubernetes.api.model.Pod api) {
        if (api.getSpec() != null && nodeName != null && !nodeName.equals(api.getSpec().getNodeName())) {
            return;
        }
        Pod pod = PodRecords.of(api, workloads.of(api), reason -> warnOnce(reason, reason));
        byCgroupUid.put(pod.uid(), pod);
        String mirror = mirrorHash(api);
        if (mirror != null) {
            byCgroupUid.put(mirror, pod);
        }
    }

    private void remove(io.fabric8.kubernetes.api.model.Pod api) {
        byCgroupUid.remove(api.getMetadata().getUid());
        String mirror = mirrorHash(api);
        if (mirror != null) {
            byCgroupUid.remove(mirror);
        }
    }

    private static String mirrorHash(io.fabric8.kubernetes.api.model.Pod api) {
        Map<String, String> annotations = api.getMetadata().getAnnotations();
        return annotations == null ? null : annotations.get(PodRecords.MIRROR_ANNOTATION);
    }

    private void degrade(String reason) {
        String before = failure;
        failure = reason;
        if (before == null) {
            degradations.incrementAndGet();
            log.warn("Kubernetes: {}; pods are known by the UIDs of their cgroups only (no pod, namespace, "
                    + "container or workload names, no fin timeouts from pod specs) until this is fixed", reason);
        } else if (!reason.equals(before)) {
            log.warn("Kubernetes: still degraded, now: {}", reason);
        }
    }

    private void ownerGetFailed(String key, String reason) {
        ownerGetFailures.incrementAndGet();
        warnOnce(key, reason);
    }

    /** Logs {@code message} the first time {@code key} is seen (a bounded set: a flood is not remembered forever). */
    private void warnOnce(String key, String message) {
        if (warned.size() < MAX_WARNED && warned.add(key)) {
            log.warn("Kubernetes: {}", message);
        }
    }

    /** One line for an API failure: what it means for the collector, then the API's own words. */
    static String describe(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && !(cause instanceof KubernetesClientException k && k.getCode() > 0)) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException
                    || cause instanceof HttpConnectTimeoutException) {
                break;
            }
            cause = cause.getCause();
        }
        if (cause instanceof KubernetesClientException k && k.getCode() > 0) {
            String status = k.getStatus() == null || k.getStatus().getMessage() == null ? k.getMessage()
                    : k.getStatus().getMessage();
            return switch (k.getCode()) {
                case 401 -> "the API server refused the collector's credentials (401 Unauthorized): " + status;
                case 403 -> "RBAC denied (403 Forbidden): " + status;
                default -> "the API server answered " + k.getCode() + ": " + status;
            };
        }
        if (cause instanceof ConnectException || cause instanceof UnknownHostException
                || cause instanceof HttpConnectTimeoutException) {
            return "the API server is unreachable: " + cause;
        }
        return "the API failed: " + cause;
    }
}
