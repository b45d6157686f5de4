package io.finwatch.streams.aggregate;

import io.finwatch.schemas.state.EndedDwell;
import io.finwatch.schemas.state.PendingDwell;
import io.finwatch.streams.state.EarlierForms;
import io.finwatch.streams.state.StoreValueSerde;
import java.util.ArrayList;
import java.util.List;

/** A batch of ended episodes as a PendingDwell record: one value per task and commit. */
public final class EndedEpisodesSerde extends StoreValueSerde<EndedEpisodes, PendingDwell> {

    public EndedEpisodesSerde() {
        super(EndedEpisodes.class, PendingDwell.class);
    }

    @Override
    protected PendingDwell toRecord(EndedEpisodes batch) {
        List<EndedDwell> episodes = new ArrayList<>(batch.episodes().size());
        for (EndedEpisode e : batch.episodes()) {
            EndedDwell d = new EndedDwell();
            d.setHostKey(e.hostKey());
            d.setProcessKey(e.processKey());
            d.setWorkloadKey(e.workloadKey());
            d.setDwellMs(e.dwellMs());
            d.setEndedAt(e.endedAt());
            episodes.add(d);
        }
        PendingDwell r = new PendingDwell();
        r.setEpisodes(episodes);
        return r;
    }

    @Override
    protected EndedEpisodes fromRecord(PendingDwell r) {
        List<EndedEpisode> episodes = new ArrayList<>(r.getEpisodes().size());
        for (EndedDwell d : r.getEpisodes()) {
            episodes.add(new EndedEpisode(d.getHostKey(), d.getProcessKey(), d.getWorkloadKey(), d.getDwellMs(), d.getEndedAt()));
        }
        return new EndedEpisodes(episodes);
    }

    @Override
    protected EndedEpisodes readEarlierForm(byte[] bytes) {
        return EarlierForms.read(bytes, EndedEpisodes.class, in -> {
            int n = in.getCount();
            List<EndedEpisode> episodes = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                episodes.add(EarlierPendingEpisode.fields(in));
            }
            return new EndedEpisodes(episodes);
        });
    }
}
