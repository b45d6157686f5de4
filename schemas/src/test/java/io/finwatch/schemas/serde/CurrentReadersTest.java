package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.state.DwellHistogram;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.schemas.state.SocketEpisode;
import org.junit.jupiter.api.Test;

/**
 * Which records decode their current version by their own generated code: the store values the detector reads on
 * every event (docs/benchmarks.md, session 15). A logical type added to one of them takes its custom coders away and
 * sends it back to the fast reader, 1.25 times slower; this says so before a benchmark has to.
 */
class CurrentReadersTest {

    @Test
    void storeValuesWithoutLogicalTypesHaveTheirOwnDecoderAndEventsWithThemDoNot() {
        assertThat(FinwatchSerde.customCoded(SocketEpisode.class)).isTrue();
        assertThat(FinwatchSerde.customCoded(PairingEnd.class)).isTrue();
        assertThat(FinwatchSerde.customCoded(DwellHistogram.class)).isTrue();
        assertThat(FinwatchSerde.customCoded(SocketTransition.class)).as("timestamp-millis fields").isFalse();
        assertThat(FinwatchSerde.customCoded(CollectorHeartbeat.class)).isFalse();
    }
}
