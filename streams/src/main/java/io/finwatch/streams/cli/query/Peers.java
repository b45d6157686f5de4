package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;

/** How a peer and unread bytes print in the tables. */
final class Peers {

    private Peers() {
    }

    /** {@code pid 5150 (client) node-b 10.0.0.1:56490}, or {@code -} for no peer. */
    static String describe(JsonNode peer) {
        if (peer == null || peer.isMissingNode() || peer.isNull()) {
            return Fields.NONE;
        }
        String who = peer.hasNonNull("pid") ? peer.get("pid").asText() + (peer.hasNonNull("comm") ? "/" + peer.get("comm").asText() : "") : "?";
        return who + "@" + Fields.text(peer, "host") + " " + Fields.address(peer, "local_ip", "local_port");
    }

    /** A CLOSE_WAIT receive queue counts the peer's FIN as one byte: the unread data is one less. */
    static String unread(JsonNode recvQ) {
        if (recvQ == null || !recvQ.isNumber()) {
            return Fields.NONE;
        }
        return Long.toString(Math.max(0, recvQ.asLong() - 1));
    }
}
