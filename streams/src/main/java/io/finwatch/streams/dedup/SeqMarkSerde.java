package io.finwatch.streams.dedup;

import io.finwatch.schemas.state.DedupMark;
import io.finwatch.streams.state.StoreValueSerde;
import java.nio.ByteBuffer;

/** A dedup mark as a DedupMark record, written once per collector per commit. */
public final class SeqMarkSerde extends StoreValueSerde<SeqMark, DedupMark> {

    /**
     * Releases before the Avro record wrote two big-endian longs, seq then seenAtMs. They never start with the
     * single-object marker (0xC3 0x01 would be a negative seq).
     */
    private static final int EARLIER_LENGTH = 2 * Long.BYTES;

    public SeqMarkSerde() {
        super(SeqMark.class, DedupMark.class);
    }

    @Override
    protected DedupMark toRecord(SeqMark mark) {
        DedupMark r = new DedupMark();
        r.setSeq(mark.seq());
        r.setSeenAtMs(mark.seenAtMs());
        return r;
    }

    @Override
    protected SeqMark fromRecord(DedupMark r) {
        return new SeqMark(r.getSeq(), r.getSeenAtMs());
    }

    @Override
    protected SeqMark readEarlierForm(byte[] bytes) {
        if (bytes.length != EARLIER_LENGTH) {
            throw new IllegalArgumentException("neither Avro nor the earlier " + EARLIER_LENGTH + "-byte form");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new SeqMark(b.getLong(), b.getLong());
    }
}
