package io.finwatch.collector.track;

/**
 * A network namespace's {@code net.ipv4.tcp_fin_timeout}: how long the kernel keeps an orphaned socket
 * in FIN_WAIT2 before it drops it.
 *
 * @param seconds the sysctl's value
 * @param source  whether the value is the namespace's own or a stand-in
 */
public record FinTimeout(int seconds, Source source) {

    public enum Source {
        /** Read inside the namespace itself. */
        NAMESPACE,
        /**
         * The namespace could not be entered (no CAP_SYS_ADMIN, its process exited, not Linux), so this is
         * the collector's own namespace's value: the host's when the collector runs with hostNetwork. A
         * namespace created with a different value is then misjudged.
         */
        HOST_FALLBACK,
        /**
         * The pod's own spec sets it ({@code securityContext.sysctls}), read through the Kubernetes API in place of a
         * {@link #HOST_FALLBACK}: no capability needed ({@link PodFinTimeouts}).
         */
        POD_SPEC
    }
}
