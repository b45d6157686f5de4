package io.finwatch.streams.detect;

import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.streams.directory.HostDirectory;
import io.finwatch.streams.verdict.VerdictRules;
import java.util.Objects;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The detector's side of the verdicts: the peer facts of its open episodes ({@code finwatch-peers}, by connection key,
 * kept while the episode lasts) and the host directory, handed to {@link VerdictRules}.
 */
final class Diagnosis {

    private final KeyValueStore<String, PairFact> peers;
    private final HostDirectory directory;
    private final long pairingAllowanceMs;

    /** @param pairingAllowanceMs how long after a host's table read a pair fact from it may still arrive ({@link VerdictRules}) */
    Diagnosis(KeyValueStore<String, PairFact> peers, HostDirectory directory, long pairingAllowanceMs) {
        this.peers = peers;
        this.directory = directory;
        this.pairingAllowanceMs = pairingAllowanceMs;
    }

    VerdictRules.Judgement judge(ConnectionState c, long now) {
        ConnectionKey k = c.key();
        VerdictRules.Subject s = new VerdictRules.Subject(k.host(), k.netns(), c.state(), c.enteredAt(), k.localIp(), k.localPort(),
                k.remoteIp(), k.remotePort(), c.recvQ(), c.conntrack());
        return VerdictRules.judge(s, peers.get(k.text()), directory, now, pairingAllowanceMs);
    }

    PairFact peerOf(String connectionKey) {
        return peers.get(connectionKey);
    }

    void remember(String connectionKey, PairFact fact) {
        peers.put(connectionKey, fact);
    }

    void forget(String connectionKey) {
        // Most episodes never had a peer: a delete of an absent key would still cost a changelog tombstone.
        if (peers.get(connectionKey) != null) {
            peers.delete(connectionKey);
        }
    }

    /** A STUCK FIN_WAIT2 whose verdict rests on the host directory alone, and may change as hosts report. */
    static boolean unsettled(ConnectionState c) {
        return c.stuckEmitted() && c.state() == TcpState.FIN_WAIT2
                && (c.verdict() == null || c.verdict() == Verdict.UNDETERMINED || c.verdict() == Verdict.PEER_UNMONITORED);
    }

    /** Whether the peer is another socket, or the same in another state. */
    static boolean peerChanged(PairFact before, PairFact after) {
        if (before == null) {
            return true;
        }
        return !Objects.equals(before.getPeer().getHost(), after.getPeer().getHost()) || before.getPeer().getNetns() != after.getPeer().getNetns()
                || !Objects.equals(before.getPeer().getLocalIp(), after.getPeer().getLocalIp())
                || before.getPeer().getLocalPort() != after.getPeer().getLocalPort()
                || before.getPeer().getState() != after.getPeer().getState();
    }
}
