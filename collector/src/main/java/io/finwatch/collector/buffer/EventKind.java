package io.finwatch.collector.buffer;

/** What an event is; the publisher maps each kind to its own Kafka topic. */
public enum EventKind {
    /** A socket changed state (appeared in, or left, FIN_WAIT_2). */
    TRANSITION,
    /** The periodic liveness/summary event; it also carries gap markers for shed sequence ranges. */
    HEARTBEAT;

    private static final EventKind[] VALUES = values();

    static EventKind ofOrdinal(int ordinal) {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : null;
    }
}
