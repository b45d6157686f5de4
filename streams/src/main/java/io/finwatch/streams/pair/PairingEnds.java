package io.finwatch.streams.pair;

import io.finwatch.schemas.Owner;
import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.state.StoreKeys;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Ends on the pairing path: which transitions take it, what they carry, and the facts made of two ends. */
public final class PairingEnds {

    /**
     * The closing states a verdict can rest on, and so the only ones on the pairing path: the judged ends (FIN_WAIT2,
     * CLOSE_WAIT) and the states that prove a FIN_WAIT2 end's peer sent its FIN (LAST_ACK, CLOSING). FIN_WAIT1 and
     * TIME_WAIT stay off it: a FIN_WAIT1 end is told nothing and is the peer of no stuck end for longer than an ACK's
     * flight, and a TIME_WAIT end has had its own FIN acknowledged and has received its peer's, so its peer is in
     * neither FIN_WAIT2 nor CLOSE_WAIT. Ordinary active closes (ESTABLISHED to TIME_WAIT to GONE, most of a fleet's
     * closing transitions) therefore never take the path; a transition from one of these states into TIME_WAIT does,
     * as the end of that end (a GONE that sent its FIN).
     */
    public static final Set<TcpState> CLOSING = EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSING, TcpState.CLOSE_WAIT,
            TcpState.LAST_ACK);

    /** States an end reaches only after sending its own FIN. */
    private static final Set<TcpState> SENT_FIN = EnumSet.of(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.CLOSING,
            TcpState.TIME_WAIT, TcpState.LAST_ACK);

    /** The states whose episodes the detector judges, and so the ends that are told about their peer. */
    private static final Set<TcpState> JUDGED = EnumSet.of(TcpState.FIN_WAIT2, TcpState.CLOSE_WAIT);

    private PairingEnds() {
    }

    /** Whether a transition goes through the pairing topic: into or out of a state of {@link #CLOSING} (the GONE, or any
     * other state, that ends one). */
    public static boolean onPath(SocketTransition t) {
        return CLOSING.contains(t.getToState()) || t.getFromState() != null && CLOSING.contains(t.getFromState());
    }

    public static boolean sentFin(TcpState s) {
        return SENT_FIN.contains(s);
    }

    public static boolean judged(TcpState s) {
        return JUDGED.contains(s);
    }

    /** The end a transition reports. A state that is neither closing nor GONE (a socket left the path) counts as GONE. */
    public static PairingEnd of(SocketTransition t) {
        long observed = t.getObservedAt().toEpochMilli();
        TcpState state = CLOSING.contains(t.getToState()) ? t.getToState() : TcpState.GONE;
        Long since = t.getStateSinceMs();
        long stateSince = state != TcpState.GONE && since != null && t.getStateSinceSource() == StateSinceSource.KERNEL
                && since <= observed ? since : observed;
        boolean attached = t.getPid() != null;
        Owner last = t.getLastOwner();
        return PairingEnd.newBuilder()
                .setHost(t.getHost()).setCollectorId(t.getCollectorId()).setEpoch(t.getEpoch()).setSeq(t.getSeq())
                .setObservedAt(observed).setNetns(t.getNetns()).setFamily(t.getFamily())
                .setLocalIp(t.getLocalIp()).setLocalPort(t.getLocalPort()).setRemoteIp(t.getRemoteIp()).setRemotePort(t.getRemotePort())
                .setOrdinal(t.getOrdinal()).setState(state).setStateSince(stateSince)
                .setShutdown(t.getShutdown()).setRecvQ(t.getRecvQ())
                .setPid(attached ? t.getPid() : last == null ? null : last.getPid())
                .setComm(attached ? t.getComm() : last == null ? null : last.getComm())
                .setContainerId(attached ? t.getContainerId() : last == null ? null : last.getContainerId())
                .setPod(t.getPod()).setOrphaned(t.getOrphaned()).setConntrack(t.getConntrack())
                .setSentFin(sentFin(state) || t.getFromState() != null && sentFin(t.getFromState()))
                .build();
    }

    public static List<PairKeys.Keyed> keys(PairingEnd e) {
        return PairKeys.of(e.getHost(), e.getNetns(), e.getLocalIp(), e.getLocalPort(), e.getRemoteIp(), e.getRemotePort(),
                e.getConntrack());
    }

    /** The socket an end is, as the detector's connection keys name it. */
    public static String id(PairingEnd e) {
        return StoreKeys.connection(e.getHost(), e.getNetns(), e.getFamily(), e.getLocalIp(), e.getLocalPort(), e.getRemoteIp(),
                e.getRemotePort(), e.getOrdinal());
    }

    /** Whether {@code next} is a later report of the end than {@code prev} (a duplicate or an older one is not). */
    public static boolean newer(PairingEnd next, PairingEnd prev) {
        if (next.getCollectorId().equals(prev.getCollectorId())) {
            return next.getEpoch() != prev.getEpoch() ? next.getEpoch() > prev.getEpoch() : next.getSeq() > prev.getSeq();
        }
        return next.getObservedAt() > prev.getObservedAt();
    }

    /** What the pairing task tells {@code subject}'s detector task about its peer. */
    public static PairFact fact(PairingEnd subject, PairingEnd peer, String pairKey) {
        PeerEnd p = PeerEnd.newBuilder()
                .setHost(peer.getHost()).setNetns(peer.getNetns())
                .setLocalIp(peer.getLocalIp()).setLocalPort(peer.getLocalPort()).setRemoteIp(peer.getRemoteIp()).setRemotePort(peer.getRemotePort())
                .setState(peer.getState()).setStateSinceMs(peer.getStateSince()).setShutdown(peer.getShutdown()).setRecvQ(peer.getRecvQ())
                .setPid(peer.getPid()).setComm(peer.getComm()).setContainerId(peer.getContainerId()).setPod(peer.getPod())
                .setOrphaned(peer.getOrphaned()).setSeenAt(Instant.ofEpochMilli(peer.getObservedAt()))
                .build();
        return PairFact.newBuilder()
                .setHost(subject.getHost()).setNetns(subject.getNetns()).setFamily(subject.getFamily())
                .setLocalIp(subject.getLocalIp()).setLocalPort(subject.getLocalPort()).setRemoteIp(subject.getRemoteIp())
                .setRemotePort(subject.getRemotePort()).setOrdinal(subject.getOrdinal())
                .setState(subject.getState()).setStateSince(subject.getStateSince())
                .setPairKey(pairKey).setPeer(p).setPeerSentFin(peer.getSentFin())
                .build();
    }
}
