package io.finwatch.streams.aggregate;

import io.finwatch.streams.serde.CompactSerde;
import java.util.ArrayList;
import java.util.List;

/** A batch of ended episodes in the compact store form: a count, then each episode's fields as {@link EndedEpisodeSerde} writes them. */
public final class EndedEpisodesSerde extends CompactSerde<EndedEpisodes> {

    public EndedEpisodesSerde() {
        super(EndedEpisodes.class);
    }

    @Override
    protected void write(EndedEpisodes batch, Out out) {
        out.putInt(batch.episodes().size());
        for (EndedEpisode e : batch.episodes()) {
            out.putString(e.hostKey());
            out.putString(e.processKey());
            out.putLong(e.dwellMs());
            out.putLong(e.endedAt());
        }
    }

    @Override
    protected EndedEpisodes read(In in) {
        int n = in.getInt();
        if (n < 0) {
            throw new IllegalArgumentException("negative episode count " + n);
        }
        List<EndedEpisode> episodes = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            episodes.add(new EndedEpisode(in.getString(), in.getString(), in.getLong(), in.getLong()));
        }
        return new EndedEpisodes(episodes);
    }
}
