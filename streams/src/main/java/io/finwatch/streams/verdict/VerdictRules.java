package io.finwatch.streams.verdict;

import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.streams.directory.HostDirectory;
import io.finwatch.streams.pair.PairKeys;
import java.time.Instant;
import java.util.List;

/**
 * Who is at fault for a stuck socket (Verdict; docs/reading-anomalies.md), from the episode, the peer the pairing task
 * found for it, and the host directory, with the one sentence of evidence the verdict rests on.
 *
 * <ul>
 * <li>CLOSE_WAIT: LOCAL_NEVER_CLOSED, whatever the peer: the peer finished and this process never closed.
 * <li>FIN_WAIT2 with a peer: PEER_NEVER_CLOSED when the peer is in CLOSE_WAIT; FIN_LOST once the peer was seen in a
 *     state that follows sending its FIN (LAST_ACK, CLOSING, ...), even after it went; PEER_GONE when it went
 *     without ever sending one.
 * <li>FIN_WAIT2 without a peer: PEER_UNMONITORED when no monitored host has the peer's address; PEER_GONE when a
 *     host that has it reported a table read at least one poll interval after this end entered FIN_WAIT2, and the
 *     pairing path has had time to bring what that read held; UNDETERMINED until then.
 * </ul>
 *
 * <p>Why the wait: the directory reaches a detector task in one hop (the host-directory topic), a pair fact in two
 * (the pairing topic, the pairing task, the pair-facts topic), each behind an exactly-once commit. A table read that
 * held the peer is in the directory before the fact naming that peer can be, so judging from the directory alone at
 * once said PEER_GONE for a peer that was there, and took it back a moment later. The second hop takes at most one
 * commit interval of the pairing task and a poll, which {@code pairingAllowanceMs} covers.
 */
public final class VerdictRules {

    /** The episode being judged. */
    public record Subject(String host, long netns, TcpState state, long enteredAt, String localIp, int localPort, String remoteIp,
                          int remotePort, Long recvQ, List<ConntrackEntry> conntrack) {
    }

    public record Judgement(Verdict verdict, String evidence, PeerEnd peer) {
    }

    private VerdictRules() {
    }

    /**
     * @param now                the detector's wall clock (epoch ms)
     * @param pairingAllowanceMs how long after a table read the pairing path may still bring a fact from it
     */
    public static Judgement judge(Subject s, PairFact fact, HostDirectory directory, long now, long pairingAllowanceMs) {
        PeerEnd peer = fact == null ? null : fact.getPeer();
        if (s.state() == TcpState.CLOSE_WAIT) {
            String unread = s.recvQ() == null ? "" : s.recvQ() > 1 ? "; it left " + (s.recvQ() - 1) + " bytes unread"
                    : s.recvQ() == 1 ? "; it has not read the end of the stream" : "; it read the end of the stream";
            String peerPart = peer == null ? "" : " (" + describe(peer) + ", in " + peer.getState() + ")";
            return new Judgement(Verdict.LOCAL_NEVER_CLOSED, "The peer" + peerPart + " finished sending and this process never closed"
                    + unread + ".", peer);
        }
        if (peer != null) {
            TcpState ps = peer.getState();
            if (ps == TcpState.CLOSE_WAIT) {
                Long q = peer.getRecvQ();
                String unread = q == null ? "" : q > 1 ? "; it left " + (q - 1) + " bytes unread" : q == 1
                        ? "; it has not read the end of the stream" : "; it read the end of the stream";
                return new Judgement(Verdict.PEER_NEVER_CLOSED, "The peer, " + describe(peer) + ", has been in CLOSE_WAIT since "
                        + time(peer.getStateSinceMs()) + " and never closed" + unread + ".", peer);
            }
            if (fact.getPeerSentFin() || PeerStates.sentFin(ps)) {
                return new Judgement(Verdict.FIN_LOST, "The peer, " + describe(peer) + ", sent its FIN (it was seen past it, now "
                        + ps + ") and this end never received it: the network between them lost it.", peer);
            }
            if (ps == TcpState.GONE) {
                return new Judgement(Verdict.PEER_GONE, "The peer, " + describe(peer) + ", left its table at " + time(peer.getSeenAt()
                        .toEpochMilli()) + " without ever sending a FIN: its FIN will never come.", peer);
            }
            return new Judgement(Verdict.UNDETERMINED, "The peer, " + describe(peer) + ", is in " + ps + ".", peer);
        }
        List<PairKeys.Keyed> keys = PairKeys.of(s.host(), s.netns(), s.localIp(), s.localPort(), s.remoteIp(), s.remotePort(), s.conntrack());
        List<String> addresses = PairKeys.peerAddresses(keys);
        String host = null;
        String address = null;
        if (PairKeys.onThisHost(s.remoteIp())) {
            host = s.host();
            address = PairKeys.unmap(s.remoteIp());
        } else {
            for (String a : addresses) {
                host = directory.hostOf(a);
                if (host != null) {
                    address = a;
                    break;
                }
            }
        }
        if (host == null) {
            return new Judgement(Verdict.PEER_UNMONITORED, "No monitored host has the peer's address " + String.join(" or ", addresses)
                    + ": finwatch cannot see the other end.", null);
        }
        HostDirectory.Heard heard = directory.heard(host);
        // A read at or after enteredAt + interval would have shown the peer; what it showed has reached this task by
        // that read's time plus the allowance (a later read only repeats it).
        long firstTelling = s.enteredAt() + (heard == null ? 0 : heard.intervalMs());
        if (heard != null && heard.heardAt() >= firstTelling && now < firstTelling + pairingAllowanceMs) {
            return new Judgement(Verdict.UNDETERMINED, "Host " + host + " has the peer's address " + address + " and reported a table read at "
                    + time(heard.heardAt()) + ", after this end entered FIN_WAIT2 at " + time(s.enteredAt())
                    + "; what that read held may still be on its way through pairing until " + time(firstTelling + pairingAllowanceMs)
                    + ".", null);
        }
        if (heard != null && heard.heardAt() >= firstTelling) {
            return new Judgement(Verdict.PEER_GONE, "Host " + host + " has the peer's address " + address + " and reported a table read at "
                    + time(heard.heardAt()) + ", after this end entered FIN_WAIT2 at " + time(s.enteredAt())
                    + ", with no socket of this connection: its FIN will never come.", null);
        }
        return new Judgement(Verdict.UNDETERMINED, "Host " + host + " has the peer's address " + address
                + " but has not reported a table read since this end entered FIN_WAIT2 at " + time(s.enteredAt()) + ".", null);
    }

    static String describe(PeerEnd p) {
        StringBuilder b = new StringBuilder();
        b.append(p.getPid() == null ? "pid ?" : "pid " + p.getPid());
        if (p.getComm() != null) {
            b.append(" (").append(p.getComm()).append(')');
        }
        b.append(" on ").append(p.getHost()).append(' ').append(p.getLocalIp()).append(':').append(p.getLocalPort());
        return b.toString();
    }

    private static String time(Long ms) {
        return ms == null ? "an unknown time" : Instant.ofEpochMilli(ms).toString();
    }
}
