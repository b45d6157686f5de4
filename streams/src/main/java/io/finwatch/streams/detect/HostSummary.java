package io.finwatch.streams.detect;

import java.util.List;
import java.util.Map;

/**
 * What the newest heartbeat of a host said, plus the detector's view of the collector's liveness.
 *
 * @param host                 host name
 * @param collectorId          collector run of the newest heartbeat
 * @param collectorVersion     its build
 * @param startedAt            when that run started (epoch ms)
 * @param lastHeardAt          greatest observed_at of any heartbeat (epoch ms); a late, older heartbeat never
 *                             moves it back
 * @param intervalMs           the collector's poll interval
 * @param stateCounts          sockets per TCP state name at the newest heartbeat
 * @param namespaces           network namespaces and their fin timeouts at the newest heartbeat
 * @param finWait2Attached     attached FIN_WAIT2 sockets the collector counted
 * @param finWait2Orphaned     orphaned FIN_WAIT2 sockets the collector counted
 * @param socketsSeen          TCP sockets read at that poll
 * @param parseErrors          collector's cumulative parse errors
 * @param readErrors           collector's cumulative read errors
 * @param shedEvents           collector's cumulative events dropped under its disk cap
 * @param silent               a COLLECTOR_SILENT was emitted and no fresh heartbeat came since
 * @param silentSince          when the detector declared it silent (epoch ms), null when not silent
 * @param parked               deadlines of this host came due while it was not heard; they are re-armed by the
 *                             next fresh heartbeat
 * @param lastSeq              seq of the newest heartbeat
 * @param sweepBelowSeq        set when a new collector run (a changed started_at) was first heard: the highest
 *                             seq the previous run can have used (the new run's first heartbeat seq minus the
 *                             sockets its first, full poll reported). At the new run's next heartbeat, every
 *                             FIN_WAIT2 episode of the host last reported at or below it is over (it vanished
 *                             while the collector was down); null when no sweep is pending
 */
public record HostSummary(String host, String collectorId, String collectorVersion, long startedAt, long lastHeardAt, long intervalMs,
                          Map<String, Long> stateCounts, List<NamespaceSummary> namespaces, long finWait2Attached,
                          long finWait2Orphaned, long socketsSeen, long parseErrors, long readErrors, long shedEvents, boolean silent,
                          Long silentSince, boolean parked, long lastSeq, Long sweepBelowSeq) {

    /** One network namespace of the host and the fin timeout its sockets are judged by. */
    public record NamespaceSummary(long netns, int finTimeoutS, String finTimeoutSource, long sockets) {
    }

    public HostSummary withLiveness(boolean isSilent, Long since, boolean isParked) {
        return new HostSummary(host, collectorId, collectorVersion, startedAt, lastHeardAt, intervalMs, stateCounts, namespaces,
                finWait2Attached, finWait2Orphaned, socketsSeen, parseErrors, readErrors, shedEvents, isSilent, since, isParked,
                lastSeq, sweepBelowSeq);
    }

    public HostSummary withSweep(Long belowSeq) {
        return new HostSummary(host, collectorId, collectorVersion, startedAt, lastHeardAt, intervalMs, stateCounts, namespaces,
                finWait2Attached, finWait2Orphaned, socketsSeen, parseErrors, readErrors, shedEvents, silent, silentSince, parked,
                lastSeq, belowSeq);
    }
}
