package io.finwatch.collector.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the collector reaches the Kubernetes API: a kubeconfig file when one is given, else the pod's service account
 * when it runs in a cluster ({@code KUBERNETES_SERVICE_HOST} set by the kubelet), else not at all. A configuration
 * that cannot work never stops the collector: it runs degraded and says why.
 */
public final class KubernetesAccess {
    private static final Logger log = LoggerFactory.getLogger(KubernetesAccess.class);
    static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    private KubernetesAccess() {
    }

    /**
     * The node's pods, or null when Kubernetes is not configured (no kubeconfig, not in a cluster).
     *
     * @param kubeconfig {@code --kubeconfig}, or null
     * @param nodeName   {@code --node-name} (NODE_NAME from the downward API), or null
     * @param env        the environment
     */
    public static NodePods open(Path kubeconfig, String nodeName, Map<String, String> env) {
        boolean inCluster = env.get("KUBERNETES_SERVICE_HOST") != null;
        if (kubeconfig == null && !inCluster) {
            return null;
        }
        if (nodeName == null || nodeName.isBlank()) {
            return NodePods.unusable("no node name (--node-name, or NODE_NAME from the downward API's spec.nodeName):"
                    + " the collector cannot ask for its own node's pods");
        }
        Config config;
        String how;
        try {
            if (kubeconfig != null) {
                if (!Files.isReadable(kubeconfig)) {
                    return NodePods.unusable("--kubeconfig " + kubeconfig + ": "
                            + (Files.exists(kubeconfig) ? "not readable" : "no such file"));
                }
                config = Config.fromKubeconfig(kubeconfig.toFile());
                how = "--kubeconfig " + kubeconfig;
            } else {
                if (!Files.isReadable(SERVICE_ACCOUNT_TOKEN)) {
                    return NodePods.unusable("in a cluster but no service account token at " + SERVICE_ACCOUNT_TOKEN
                            + " (automountServiceAccountToken: false?)");
                }
                config = Config.autoConfigure(null);
                how = "the pod's service account";
            }
        } catch (RuntimeException e) {
            return NodePods.unusable((kubeconfig != null ? "--kubeconfig " + kubeconfig : "in-cluster configuration")
                    + ": cannot be used: " + e.getMessage());
        }
        KubernetesClient client;
        try {
            client = new KubernetesClientBuilder().withConfig(config).build();
        } catch (RuntimeException e) {
            return NodePods.unusable("cannot make a Kubernetes client for " + config.getMasterUrl() + " (" + how + "): "
                    + e.getMessage());
        }
        log.info("Kubernetes: watching the pods of node {} at {} through {}", nodeName, config.getMasterUrl(), how);
        return NodePods.start(client, nodeName);
    }
}
