package io.finwatch.streams.detect;

import io.finwatch.schemas.state.OpenSocketCounts;
import io.finwatch.streams.state.StoreValueSerde;
import java.nio.ByteBuffer;

/** Open counts as an OpenSocketCounts record: two of them change with every episode start and end. */
public final class OpenCountsSerde extends StoreValueSerde<OpenCounts, OpenSocketCounts> {

    /** Earlier releases wrote the counts as two big-endian longs, attached then orphaned. */
    private static final int EARLIER_LENGTH = 2 * Long.BYTES;

    public OpenCountsSerde() {
        super(OpenCounts.class, OpenSocketCounts.class);
    }

    @Override
    protected OpenSocketCounts toRecord(OpenCounts c) {
        OpenSocketCounts r = new OpenSocketCounts();
        r.setAttached(c.attached());
        r.setOrphaned(c.orphaned());
        return r;
    }

    @Override
    protected OpenCounts fromRecord(OpenSocketCounts r) {
        return new OpenCounts(r.getAttached(), r.getOrphaned());
    }

    @Override
    protected OpenCounts readEarlierForm(byte[] bytes) {
        if (bytes.length != EARLIER_LENGTH) {
            throw new IllegalArgumentException("neither Avro nor the earlier " + EARLIER_LENGTH + "-byte form");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new OpenCounts(b.getLong(), b.getLong());
    }
}
