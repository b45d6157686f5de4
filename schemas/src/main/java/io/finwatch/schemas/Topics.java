package io.finwatch.schemas;

/**
 * The topics of the wire contract, by their default names: what the collector writes and the detector reads and
 * writes. Every command that names a topic takes these as its defaults and an option to rename each (one
 * deployment's names must agree across collectors and detectors). The records on each are in docs/events.md.
 */
public final class Topics {
    /** {@link SocketTransition}s, key = host: written by collectors, read by the detector. */
    public static final String TRANSITIONS = "finwatch.transitions";
    /** {@link CollectorHeartbeat}s, key = host: written by collectors, read by the detector. */
    public static final String HEARTBEATS = "finwatch.heartbeats";
    /** {@link FinWait2Anomaly}s, key = host: written by the detector (transactionally; read them read_committed). */
    public static final String ANOMALIES = "finwatch.anomalies";
    /** Input records the detector could not decode, as they came, with headers naming their origin and the error. */
    public static final String DLQ = "finwatch.dlq";

    private Topics() {
    }
}
