package io.finwatch.streams.aggregate;

import java.util.List;

/** The episodes a task ended between two commits, stored as one pending value. */
public record EndedEpisodes(List<EndedEpisode> episodes) {
}
