package io.finwatch.streams.state;

/**
 * Key formats of the queryable stores. Fields are joined with {@code |}, which no host name, address or
 * number contains (the decoder sends events whose host contains it to the dead-letter topic).
 */
public final class StoreKeys {

    public static final char SEP = '|';

    private StoreKeys() {
    }

    /** A host's own entry: the host name. */
    public static String host(String host) {
        return host;
    }

    /** Whether a key of the open-counts or dwell stores is a whole host's ({@link #host}), not a process's or a workload's. */
    public static boolean isHost(String key) {
        return key.indexOf(SEP) < 0;
    }

    /** What every other key of the host starts with. */
    public static String hostPrefix(String host) {
        return host + SEP;
    }

    /** A process of a host: {@code host|pid|comm}; pid {@code -} and an empty comm when no owner was ever seen. */
    public static String process(String host, Integer pid, String comm) {
        return host + SEP + (pid == null ? "-" : pid.toString()) + SEP + (comm == null ? "" : comm);
    }

    /** Second field of a host's per-workload open counts; no pid starts with it. */
    public static final String WORKLOAD_OPEN = "~open";
    /** Second field of a host's per-workload counts of sockets declared STUCK and still in FIN_WAIT2. */
    public static final String WORKLOAD_STUCK = "~stuck";

    /** Second field of a host's per-workload dwell histograms (the dwell stores); no pid starts with it. */
    public static final String WORKLOAD_DWELL = "~dwell";

    /**
     * A workload's counts on a host: {@code host|~open|k8s_namespace|kind|name} (or {@code ~stuck}); namespace and
     * kind empty outside Kubernetes, where the name is the process's command name.
     */
    public static String workload(String host, String field, String k8sNamespace, String kind, String name) {
        return host + SEP + field + SEP + nonNull(k8sNamespace) + SEP + nonNull(kind) + SEP + nonNull(name);
    }

    /** Whether a key of the open-counts or dwell stores is a workload's ({@link #workload}), not a host's or a process's. */
    public static boolean isWorkload(String key) {
        int first = key.indexOf(SEP);
        return first >= 0 && first + 1 < key.length() && key.charAt(first + 1) == '~';
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    /** A socket of a host: {@code host|netns|family|local_ip|local_port|remote_ip|remote_port|ordinal}. */
    public static String connection(String host, long netns, int family, String localIp, int localPort, String remoteIp, int remotePort,
                                    int ordinal) {
        return host + SEP + netns + SEP + family + SEP + localIp + SEP + localPort + SEP + remoteIp + SEP + remotePort + SEP + ordinal;
    }

    /** {@code host|detected_at (13 digits, epoch ms)|anomaly_id}: per host in time order. */
    public static String recentAnomaly(String host, long detectedAtMs, String anomalyId) {
        return host + SEP + String.format("%013d", detectedAtMs) + SEP + anomalyId;
    }

    /** Between a connection key and an end in {@link #pairEnd}: no connection key or host contains it. */
    public static final char PAIR_SEP = '\u0001';

    /** An end under one of its connection keys: {@code connectionKey \u0001 host|netns|family|local|remote|ordinal}. */
    public static String pairEnd(String connectionKey, String endConnection) {
        return connectionKey + PAIR_SEP + endConnection;
    }

    /** A host's entry in the host directory. */
    public static String directoryHost(String host) {
        return "h" + SEP + host;
    }

    /** An address's entry in the host directory. */
    public static String directoryAddress(String address) {
        return "a" + SEP + address;
    }
}
