package io.finwatch.collector.repro;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What {@code finwatch repro} tells a person about the sockets it holds: which is which, what the kernel does
 * with each, and what finwatch should report and when. The last line is for programs (tests, scripts).
 */
public final class ReproReport {
    private ReproReport() {
    }

    /**
     * @param namespace the network namespace the sockets live in, or null for the host's
     * @param finTimeoutS that namespace's {@code net.ipv4.tcp_fin_timeout}
     */
    public static String describe(List<SocketScenario.Created> created, long pid, String namespace, int finTimeoutS) {
        SocketScenario.Created attached = find(created, "attached");
        SocketScenario.Created orphaned = find(created, "orphaned");
        SocketScenario.Created listener = find(created, "listener");
        String where = namespace == null
                ? "this host's network namespace (tcp_fin_timeout " + finTimeoutS + " s, the host's value; --netns tries a shorter one)"
                : "network namespace " + namespace + " (tcp_fin_timeout " + finTimeoutS + " s there)";
        String n = System.lineSeparator();
        return "finwatch repro: pid " + pid + " holds these TCP sockets on loopback in " + where + ":" + n
                + n
                + "  ATTACHED  " + pair(attached) + "  FIN_WAIT2" + n
                + "    The program called shutdown() and never close(): the kube-proxy leak. The socket keeps its owner and" + n
                + "    no timer runs, so the kernel never frees it. finwatch reports it STUCK about " + finTimeoutS + " s after it" + n
                + "    appeared (the fin timeout, plus up to one poll), naming pid " + pid + ", and RESOLVED once this stops." + n
                + "  ORPHANED  " + pair(orphaned) + "  FIN_WAIT2" + n
                + "    The program called close(): the kernel owns it now and reaps it after " + finTimeoutS + " s." + n
                + "    finwatch reports nothing for it." + n
                + "  (also the listener " + text(listener.local()) + " and the two peers of these sockets, in CLOSE_WAIT)" + n
                + n
                + "Holding them until Ctrl-C; then they are closed" + (namespace == null ? "" : " and the namespace is deleted") + "." + n
                + "READY pid=" + pid + " attached=" + text(attached.local()) + " orphaned=" + text(orphaned.local())
                + " fin_timeout=" + finTimeoutS;
    }

    private static SocketScenario.Created find(List<SocketScenario.Created> created, String rolePrefix) {
        return created.stream().filter(c -> c.role().startsWith(rolePrefix)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the scenario has no " + rolePrefix + " socket"));
    }

    private static String pair(SocketScenario.Created c) {
        return text(c.local()) + " -> " + text(c.remote());
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
