package io.finwatch.streams.verdict;

import io.finwatch.schemas.TcpState;
import io.finwatch.streams.pair.PairingEnds;

/** What a peer's state says about its FIN. */
final class PeerStates {

    private PeerStates() {
    }

    /** The peer is in a state it reaches only after sending its own FIN. */
    static boolean sentFin(TcpState s) {
        return PairingEnds.sentFin(s);
    }
}
