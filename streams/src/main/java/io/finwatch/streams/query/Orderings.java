package io.finwatch.streams.query;

import java.util.Comparator;

/** The orders the contract gives each array in; each ends in a total tie-break so merged answers are stable. */
public final class Orderings {

    private static final Comparator<Long> NULLS_LAST_DESC = Comparator.nullsLast(Comparator.<Long>reverseOrder());
    private static final Comparator<ProcessView> PROCESS_ID = Comparator.comparing(ProcessView::host)
            .thenComparing(ProcessView::pid, Comparator.nullsLast(Comparator.<Integer>naturalOrder()))
            .thenComparing(ProcessView::comm, Comparator.nullsLast(Comparator.<String>naturalOrder()));

    /** Most open FIN_WAIT2 first, then by name. */
    public static final Comparator<HostView> HOSTS = Comparator.comparingLong(HostView::openFinWait2).reversed()
            .thenComparing(HostView::host);

    /** Longest dwell first: earliest entry. */
    public static final Comparator<ConnectionView> CONNECTIONS = Comparator.comparing(ConnectionView::enteredAt)
            .thenComparingLong(ConnectionView::netns).thenComparing(ConnectionView::localIp).thenComparingInt(ConnectionView::localPort)
            .thenComparing(ConnectionView::remoteIp).thenComparingInt(ConnectionView::remotePort);

    /** Most attached first, then the longest p99 dwell (none last). */
    public static final Comparator<ProcessView> BY_ATTACHED = Comparator.comparingLong(ProcessView::attached).reversed()
            .thenComparing(ProcessView::p99Ms, NULLS_LAST_DESC).thenComparing(PROCESS_ID);

    /** Longest p99 dwell first (none last), then most attached. */
    public static final Comparator<ProcessView> BY_P99 = Comparator.comparing(ProcessView::p99Ms, NULLS_LAST_DESC)
            .thenComparing(Comparator.comparingLong(ProcessView::attached).reversed()).thenComparing(PROCESS_ID);

    /** Newest first. */
    public static final Comparator<AnomalyView> ANOMALIES = Comparator.comparing(AnomalyView::detectedAt).reversed()
            .thenComparing(AnomalyView::anomalyId);

    private Orderings() {
    }

    /** Address family as the API names it. */
    public static String family(Integer family) {
        if (family == null) {
            return null;
        }
        return switch (family) {
            case 4 -> "IPV4";
            case 6 -> "IPV6";
            default -> "AF_" + family;
        };
    }
}
