package io.finwatch.streams.aggregate;

/**
 * An ended FIN_WAIT2 episode waiting to be folded into the dwell histograms.
 *
 * @param hostKey     dwell key of the host
 * @param processKey  dwell key of the process it is attributed to
 * @param workloadKey dwell key of its workload on the host, or null (episodes queued by releases before it was kept)
 * @param dwellMs     time spent in FIN_WAIT2
 * @param endedAt     when the episode ended (epoch ms): picks the 1 min and 1 h windows
 */
public record EndedEpisode(String hostKey, String processKey, String workloadKey, long dwellMs, long endedAt) {

    /** An episode without a workload key, as releases before per-workload dwell queued it. */
    public EndedEpisode(String hostKey, String processKey, long dwellMs, long endedAt) {
        this(hostKey, processKey, null, dwellMs, endedAt);
    }
}
