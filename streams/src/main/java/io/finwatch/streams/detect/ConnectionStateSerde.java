package io.finwatch.streams.detect;

import io.finwatch.streams.serde.CompactSerde;

/** ConnectionState in the compact store form: written at every FIN_WAIT2 entry, exit and orphaning. */
public final class ConnectionStateSerde extends CompactSerde<ConnectionState> {

    public ConnectionStateSerde() {
        super(ConnectionState.class);
    }

    @Override
    protected void write(ConnectionState c, Out out) {
        ConnectionKey k = c.key();
        out.putString(k.host());
        out.putLong(k.netns());
        out.putInt(k.family());
        out.putString(k.localIp());
        out.putInt(k.localPort());
        out.putString(k.remoteIp());
        out.putInt(k.remotePort());
        out.putInt(k.ordinal());
        out.putLong(c.enteredAt());
        out.putLong(c.deadline());
        out.putLong(c.fireAt());
        out.putBoolean(c.orphaned());
        out.putInt(c.finTimeoutS());
        out.putNullableInt(c.pid());
        out.putString(c.comm());
        out.putString(c.containerId());
        out.putString(c.collectorId());
        out.putBoolean(c.stuckEmitted());
        out.putLong(c.pollIntervalMs());
        out.putLong(c.lastSeenSeq());
    }

    @Override
    protected ConnectionState read(In in) {
        ConnectionKey key = new ConnectionKey(in.getString(), in.getLong(), in.getInt(), in.getString(), in.getInt(), in.getString(),
                in.getInt(), in.getInt());
        return new ConnectionState(key, in.getLong(), in.getLong(), in.getLong(), in.getBoolean(), in.getInt(), in.getNullableInt(),
                in.getString(), in.getString(), in.getString(), in.getBoolean(), in.getLong(), in.getLong());
    }
}
