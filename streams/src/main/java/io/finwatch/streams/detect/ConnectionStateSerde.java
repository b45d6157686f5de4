package io.finwatch.streams.detect;

import io.finwatch.schemas.state.SocketEpisode;
import io.finwatch.streams.state.EarlierForms;
import io.finwatch.streams.state.StoreValueSerde;

/** ConnectionState as a SocketEpisode record: written at every FIN_WAIT2 entry, exit and orphaning. */
public final class ConnectionStateSerde extends StoreValueSerde<ConnectionState, SocketEpisode> {

    public ConnectionStateSerde() {
        super(ConnectionState.class, SocketEpisode.class);
    }

    @Override
    protected SocketEpisode toRecord(ConnectionState c) {
        ConnectionKey k = c.key();
        SocketEpisode e = new SocketEpisode();
        e.setHost(k.host());
        e.setNetns(k.netns());
        e.setFamily(k.family());
        e.setLocalIp(k.localIp());
        e.setLocalPort(k.localPort());
        e.setRemoteIp(k.remoteIp());
        e.setRemotePort(k.remotePort());
        e.setOrdinal(k.ordinal());
        e.setEnteredAt(c.enteredAt());
        e.setDeadline(c.deadline());
        e.setFireAt(c.fireAt());
        e.setOrphaned(c.orphaned());
        e.setFinTimeoutS(c.finTimeoutS());
        e.setPid(c.pid());
        e.setComm(c.comm());
        e.setContainerId(c.containerId());
        e.setCollectorId(c.collectorId());
        e.setStuckEmitted(c.stuckEmitted());
        e.setPollIntervalMs(c.pollIntervalMs());
        e.setLastSeenSeq(c.lastSeenSeq());
        e.setShutdown(c.shutdown());
        e.setRecvQ(c.recvQ());
        e.setSendQ(c.sendQ());
        e.setPod(c.pod());
        e.setState(c.state());
        e.setConntrack(c.conntrack());
        e.setVerdict(c.verdict());
        e.setEnteredAtSource(c.enteredAtSource());
        e.setReapAt(c.reapAt());
        return e;
    }

    @Override
    protected ConnectionState fromRecord(SocketEpisode e) {
        ConnectionKey key = new ConnectionKey(e.getHost(), e.getNetns(), e.getFamily(), e.getLocalIp(), e.getLocalPort(), e.getRemoteIp(),
                e.getRemotePort(), e.getOrdinal());
        return new ConnectionState(key, e.getEnteredAt(), e.getDeadline(), e.getFireAt(), e.getOrphaned(), e.getFinTimeoutS(), e.getPid(),
                e.getComm(), e.getContainerId(), e.getCollectorId(), e.getStuckEmitted(), e.getPollIntervalMs(), e.getLastSeenSeq(),
                e.getShutdown(), e.getRecvQ(), e.getSendQ(), e.getPod(), e.getState(), e.getConntrack(), e.getVerdict(),
                e.getEnteredAtSource(), e.getReapAt());
    }

    @Override
    protected ConnectionState readEarlierForm(byte[] bytes) {
        return EarlierForms.read(bytes, ConnectionState.class, in -> {
            ConnectionKey key = new ConnectionKey(in.getString(), in.getLong(), in.getInt(), in.getString(), in.getInt(), in.getString(),
                    in.getInt(), in.getInt());
            return new ConnectionState(key, in.getLong(), in.getLong(), in.getLong(), in.getBoolean(), in.getInt(), in.getNullableInt(),
                    in.getString(), in.getString(), in.getString(), in.getBoolean(), in.getLong(), in.getLong());
        });
    }
}
