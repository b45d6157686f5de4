package io.finwatch.collector.track;

/**
 * What conntrack lookups have done since the collector started. {@code docs/operations.md} says what each means
 * in operation ({@code finwatch_conntrack_*}).
 *
 * @param lookups    GETs sent (up to two per socket: its own namespace and the host's)
 * @param found      GETs that found an entry
 * @param translated entries found that translate the connection (NAT)
 * @param denied     GETs refused for want of CAP_NET_ADMIN
 * @param errors     GETs that failed otherwise, or namespaces that could not be entered to ask
 * @param episodes   closing sockets whose result is held now (one lookup each, for the life of the episode)
 */
public record ConntrackStats(long lookups, long found, long translated, long denied, long errors, int episodes) {

    /** Lookups off: nothing asked. */
    public static final ConntrackStats NONE = new ConntrackStats(0, 0, 0, 0, 0, 0);
}
