package io.finwatch.streams.eos;

import java.time.Instant;

/**
 * One FIN_WAIT2 episode of the crash test's script, with everything the oracle needs.
 *
 * @param host        host of the socket
 * @param port        local port, unique per host
 * @param shape       what happens to it
 * @param enteredAt   observed_at of the entry into FIN_WAIT2
 * @param finTimeoutS the namespace's fin timeout
 * @param reapAt      the kernel's reap deadline (orphans), else null
 * @param exitAt      observed_at of its exit, null when it never leaves
 * @param pid         owning (or last owning) process
 */
record Episode(String host, int port, Shape shape, Instant enteredAt, int finTimeoutS, Instant reapAt, Instant exitAt, int pid) {

    enum Shape {
        /** Attached, never leaves: STUCK. */
        ATTACHED_STUCK,
        /** Attached, leaves long after its deadline: STUCK then RESOLVED. */
        ATTACHED_LATE_EXIT,
        /** Attached, leaves long before its deadline: nothing. */
        ATTACHED_ON_TIME,
        /** Orphan never reaped: STUCK (orphan not reaped). */
        ORPHAN_STUCK,
        /** Orphan gone long after reap deadline + grace: STUCK then RESOLVED. */
        ORPHAN_LATE_GONE,
        /** Orphan gone on time: nothing. */
        ORPHAN_ON_TIME
    }

    boolean orphan() {
        return shape == Shape.ORPHAN_STUCK || shape == Shape.ORPHAN_LATE_GONE || shape == Shape.ORPHAN_ON_TIME;
    }

    String comm() {
        return "proc" + pid;
    }
}
