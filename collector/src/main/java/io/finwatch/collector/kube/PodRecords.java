package io.finwatch.collector.kube;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.finwatch.collector.track.Pod;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the collector keeps of an API pod: the names for its UID, its network mode and its fin timeout. */
final class PodRecords {
    /** The sysctl as a pod spec may name it: dots or slashes both separate its parts. */
    private static final String FIN_TIMEOUT = "net.ipv4.tcp_fin_timeout";
    private static final String FIN_TIMEOUT_SLASHED = "net/ipv4/tcp_fin_timeout";
    /** A static pod's cgroups are named after this hash of its manifest; the mirror pod's uid is another. */
    static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

    private PodRecords() {
    }

    /**
     * @param badSysctl told the reason when the spec sets the fin timeout to something that is not a number of
     *                  seconds (the kubelet would not have started such a pod; a value is then not taken)
     */
    static Pod of(io.fabric8.kubernetes.api.model.Pod api, Pod.Workload workload,
                  java.util.function.Consumer<String> badSysctl) {
        PodSpec spec = api.getSpec();
        return new Pod(api.getMetadata().getUid(), api.getMetadata().getName(), api.getMetadata().getNamespace(),
                workload, spec != null && Boolean.TRUE.equals(spec.getHostNetwork()),
                finTimeout(api, badSysctl), containerNames(api.getStatus()));
    }

    /** The controller owning the pod directly (the owner reference marked controller), or null for a bare pod. */
    static OwnerReference controller(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        List<OwnerReference> refs = meta == null ? null : meta.getOwnerReferences();
        if (refs == null) {
            return null;
        }
        for (OwnerReference r : refs) {
            if (Boolean.TRUE.equals(r.getController())) {
                return r;
            }
        }
        return null;
    }

    private static Integer finTimeout(io.fabric8.kubernetes.api.model.Pod api,
                                      java.util.function.Consumer<String> badSysctl) {
        PodSpec spec = api.getSpec();
        PodSecurityContext sc = spec == null ? null : spec.getSecurityContext();
        if (sc == null || sc.getSysctls() == null) {
            return null;
        }
        for (Sysctl s : sc.getSysctls()) {
            if (FIN_TIMEOUT.equals(s.getName()) || FIN_TIMEOUT_SLASHED.equals(s.getName())) {
                try {
                    int seconds = Integer.parseInt(s.getValue() == null ? "" : s.getValue().strip());
                    if (seconds > 0) {
                        return seconds;
                    }
                } catch (NumberFormatException e) {
                    // told below
                }
                badSysctl.accept("pod " + api.getMetadata().getNamespace() + "/" + api.getMetadata().getName()
                        + ": securityContext.sysctls sets " + s.getName() + " to '" + s.getValue()
                        + "', not a positive number of seconds; its namespace keeps the value read for it");
                return null;
            }
        }
        return null;
    }

    /** Container id (the runtime's {@code containerd://}, {@code cri-o://} or {@code docker://} removed) to name. */
    private static Map<String, String> containerNames(PodStatus status) {
        Map<String, String> names = new HashMap<>();
        if (status != null) {
            add(names, status.getInitContainerStatuses());
            add(names, status.getContainerStatuses());
            add(names, status.getEphemeralContainerStatuses());
        }
        return names;
    }

    private static void add(Map<String, String> names, List<ContainerStatus> statuses) {
        if (statuses == null) {
            return;
        }
        for (ContainerStatus s : statuses) {
            String id = s.getContainerID();
            if (id == null || id.isEmpty() || s.getName() == null) {
                continue;
            }
            int scheme = id.indexOf("://");
            names.put(scheme < 0 ? id : id.substring(scheme + 3), s.getName());
        }
    }
}
