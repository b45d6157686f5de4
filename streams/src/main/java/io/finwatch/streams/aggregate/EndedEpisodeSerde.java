package io.finwatch.streams.aggregate;

import io.finwatch.streams.serde.CompactSerde;

/** One EndedEpisode in the compact store form, as versions before 2026-11 wrote each pending episode; still folded. */
public final class EndedEpisodeSerde extends CompactSerde<EndedEpisode> {

    public EndedEpisodeSerde() {
        super(EndedEpisode.class);
    }

    @Override
    protected void write(EndedEpisode e, Out out) {
        out.putString(e.hostKey());
        out.putString(e.processKey());
        out.putLong(e.dwellMs());
        out.putLong(e.endedAt());
    }

    @Override
    protected EndedEpisode read(In in) {
        return new EndedEpisode(in.getString(), in.getString(), in.getLong(), in.getLong());
    }
}
