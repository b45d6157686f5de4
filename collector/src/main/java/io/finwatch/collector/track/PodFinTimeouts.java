package io.finwatch.collector.track;

import java.util.HashMap;
import java.util.Map;

/**
 * A pod's own {@code net.ipv4.tcp_fin_timeout} from its spec ({@code securityContext.sysctls}), for the namespaces
 * {@link FinTimeouts} could not read inside: the kubelet's runtime writes that sysctl into the pod's network
 * namespace when it creates it, so the spec says what the namespace holds without CAP_SYS_ADMIN to enter it.
 *
 * <p>A value read inside the namespace ({@link FinTimeout.Source#NAMESPACE}) is the kernel's own and stays; a
 * {@link FinTimeout.Source#HOST_FALLBACK} (or no value at all) gives way to the spec's. A hostNetwork pod shares the
 * host's namespace, which is never a pod's ({@link NamespacePods}), so it keeps the host's value.
 */
final class PodFinTimeouts {
    private PodFinTimeouts() {
    }

    static Map<Long, FinTimeout> apply(Map<Long, FinTimeout> read, Map<Long, String> podOfNetns, PodPort pods) {
        Map<Long, FinTimeout> result = null;
        for (Map.Entry<Long, String> e : podOfNetns.entrySet()) {
            FinTimeout current = read.get(e.getKey());
            if (current != null && current.source() == FinTimeout.Source.NAMESPACE) {
                continue;
            }
            Pod pod = pods.pod(e.getValue());
            if (pod == null || pod.hostNetwork() || pod.finTimeoutSeconds() == null) {
                continue;
            }
            if (result == null) {
                result = new HashMap<>(read);
            }
            result.put(e.getKey(), new FinTimeout(pod.finTimeoutSeconds(), FinTimeout.Source.POD_SPEC));
        }
        return result == null ? read : Map.copyOf(result);
    }
}
