package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.state.EarlierValues;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** Single pending episodes as releases before the batches wrote them: still folded, so still read. */
class EarlierPendingEpisodeTest {

    private static final String STORE = "finwatch-dwell-pending";

    @Test
    void jsonAndCompactSingleEpisodesRead() {
        assertThat(EarlierPendingEpisode.read(STORE, EarlierValues.read("pending-single.json")))
                .isEqualTo(new EndedEpisode("node-1", "node-1|1234|nginx", 1500, 1_700_000_000_000L));
        assertThat(EarlierPendingEpisode.read(STORE, EarlierValues.read("pending-single.compact")))
                .isEqualTo(new EndedEpisode("node-8", "node-8|100|nginx", 2500, 1_772_366_400_000L));
    }

    @Test
    void anythingElseIsAnErrorNamingTheStore() {
        for (byte[] bytes : new byte[][] {{}, {7}, {1, 0}, {'{', 'x'}}) {
            assertThatThrownBy(() -> EarlierPendingEpisode.read(STORE, bytes)).isInstanceOf(SerializationException.class)
                    .hasMessageContaining(STORE);
        }
    }
}
