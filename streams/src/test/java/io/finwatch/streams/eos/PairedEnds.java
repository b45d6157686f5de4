package io.finwatch.streams.eos;

import io.finwatch.schemas.Verdict;
import java.time.Instant;

/**
 * One socket of the crash test's cross-host connections, which go through the pairing path: its STUCK is expected
 * once, and the last diagnosis published for it (STUCK or UPDATED) must carry {@code verdict} and name {@code peerPid}.
 *
 * @param host      host of the socket
 * @param localIp   its address
 * @param port      its port
 * @param remoteIp  the peer's address
 * @param remotePort the peer's port
 * @param closeWait a CLOSE_WAIT end (else FIN_WAIT2)
 * @param enteredAt when it entered its state
 * @param deadline  when it counts as stuck
 * @param pid       its process
 * @param verdict   the final verdict
 * @param peerPid   the peer's process in the final diagnosis
 */
record PairedEnds(String host, String localIp, int port, String remoteIp, int remotePort, boolean closeWait, Instant enteredAt,
                  Instant deadline, int pid, Verdict verdict, int peerPid) {

    /** The anomalies' subject: host|netns|family|local|remote|ordinal|entered_at. */
    String subject() {
        return host + "|" + CrashScript.PAIR_NETNS + "|4|" + localIp + "|" + port + "|" + remoteIp + "|" + remotePort + "|0|"
                + enteredAt.toEpochMilli();
    }
}
