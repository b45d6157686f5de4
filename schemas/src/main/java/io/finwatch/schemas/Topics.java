package io.finwatch.schemas;

/**
 * The topics of the wire contract, by their default names: what the collector writes and the detector reads and
 * writes. Every command that names a topic takes these as its defaults and an option to rename each (one
 * deployment's names must agree across collectors and detectors). The records on each are in docs/events.md.
 */
public final class Topics {
    /**
     * {@link SocketTransition}s and {@link CollectorHeartbeat}s, key = host: written by collectors, read by the
     * detector. A heartbeat follows the transitions of the poll it closes in its host's partition, so the detector
     * reads it after them without waiting across topics.
     */
    public static final String TRANSITIONS = "finwatch.transitions";
    /**
     * {@link CollectorHeartbeat}s, key = host, of collectors of earlier releases (and of a collector told to send them
     * here with {@code --heartbeats-topic}, for detectors of those releases): the detector still reads it.
     */
    public static final String HEARTBEATS = "finwatch.heartbeats";
    /** {@link FinWait2Anomaly}s, key = host: written by the detector (transactionally; read them read_committed). */
    public static final String ANOMALIES = "finwatch.anomalies";
    /** Input records the detector could not decode, as they came, with headers naming their origin and the error. */
    public static final String DLQ = "finwatch.dlq";
    /**
     * The detector's own pairing path (written and read only by detectors, transactionally): each closing socket's
     * end once per key of its key set, so both ends of a connection meet in one task.
     */
    public static final String PAIRING = "finwatch.pairing";
    /** The pairing task's findings about an end (its peer, what the peer did), keyed by host, back to its detector task. */
    public static final String PAIR_FACTS = "finwatch.pair-facts";
    /** Each host's namespaces and addresses, written to every partition so every detector task knows every host. */
    public static final String HOST_DIRECTORY = "finwatch.host-directory";

    private Topics() {
    }
}
