package io.finwatch.streams.detect;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairingEnd;

/**
 * The GONE end of an episode a restarted collector did not re-report (its socket vanished while the collector was
 * down), in the form the pairing path takes from collectors.
 */
final class UnconfirmedEnds {

    private UnconfirmedEnds() {
    }

    /**
     * Reported by the new run at its heartbeat: a later report of the same 4-tuple by that run has a higher seq, and
     * the ended run's reports are older. Whether the socket sent a FIN before it went is not known, so only what the
     * episode's state proves counts (a FIN_WAIT2 end had sent its own).
     */
    static PairingEnd gone(ConnectionState c, CollectorHeartbeat hb) {
        ConnectionKey k = c.key();
        long observed = hb.getObservedAt().toEpochMilli();
        return PairingEnd.newBuilder()
                .setHost(k.host()).setCollectorId(hb.getCollectorId()).setEpoch(hb.getEpoch()).setSeq(hb.getSeq())
                .setObservedAt(observed).setNetns(k.netns()).setFamily(k.family())
                .setLocalIp(k.localIp()).setLocalPort(k.localPort()).setRemoteIp(k.remoteIp()).setRemotePort(k.remotePort())
                .setOrdinal(k.ordinal()).setState(TcpState.GONE).setStateSince(observed)
                .setShutdown(c.shutdown()).setRecvQ(c.recvQ())
                .setPid(c.pid()).setComm(c.comm()).setContainerId(c.containerId()).setPod(c.pod())
                .setOrphaned(c.orphaned()).setConntrack(c.conntrack())
                .setSentFin(c.state() == TcpState.FIN_WAIT2)
                .build();
    }
}
