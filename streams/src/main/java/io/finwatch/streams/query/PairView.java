package io.finwatch.streams.query;

/**
 * One element of {@code GET /api/hosts/{host}/pairs}: an open FIN_WAIT2 or CLOSE_WAIT socket of the host with its
 * peer, and the verdict these two ends give now (also before the socket is STUCK), with its evidence.
 */
public record PairView(String host, String pairKey, ConnectionView end, PeerView peer, String verdict, String evidence, boolean stale)
        implements Element {
}
