package io.finwatch.streams.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.aggregate.EndedEpisode;
import io.finwatch.streams.aggregate.EndedEpisodeSerde;
import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.detect.ConnectionState;
import io.finwatch.streams.detect.ConnectionStateSerde;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class CompactSerdeTest {

    private static final String TOPIC = "finwatch-connections-changelog";
    private final ConnectionStateSerde connections = new ConnectionStateSerde();
    private final EndedEpisodeSerde episodes = new EndedEpisodeSerde();

    private static ConnectionState attached() {
        return new ConnectionState(new ConnectionKey("node-1", 4026531840L, 10, "::ffff:10.0.0.1", 443, "::ffff:10.0.0.2", 51234, 0),
                1_700_000_000_000L, 1_700_000_060_000L, 1_700_000_060_000L, false, 60, 1234, "kube-prøxy", "c0ffee", "run-1", false,
                1000, 42);
    }

    private static ConnectionState orphanWithoutOwner() {
        return new ConnectionState(new ConnectionKey("node-2", 1, 2, "10.0.0.1", 80, "10.0.0.3", 1, 3), -5, 0, Long.MAX_VALUE, true, 0,
                null, null, null, null, true, 0, Long.MIN_VALUE);
    }

    @Test
    void connectionStatesRoundTripWithAndWithoutOwner() {
        for (ConnectionState c : List.of(attached(), orphanWithoutOwner())) {
            byte[] bytes = connections.serializer().serialize(TOPIC, c);
            assertThat(connections.deserializer().deserialize(TOPIC, bytes)).isEqualTo(c);
        }
    }

    @Test
    void valuesWrittenAsJsonByEarlierVersionsStillRead() {
        byte[] json = new JsonSerde<>(ConnectionState.class).serializer().serialize(TOPIC, attached());
        assertThat(connections.deserializer().deserialize(TOPIC, json)).isEqualTo(attached());
        EndedEpisode e = new EndedEpisode("node-1", "node-1|1234|nginx", 1500, 1_700_000_000_000L);
        byte[] episodeJson = new JsonSerde<>(EndedEpisode.class).serializer().serialize(TOPIC, e);
        assertThat(episodes.deserializer().deserialize(TOPIC, episodeJson)).isEqualTo(e);
    }

    @Test
    void endedEpisodesRoundTrip() {
        EndedEpisode e = new EndedEpisode("node-1", "node-1|-|", 0, 1_700_000_000_000L);
        assertThat(episodes.deserializer().deserialize(TOPIC, episodes.serializer().serialize(TOPIC, e))).isEqualTo(e);
    }

    @Test
    void nullIsATombstoneBothWays() {
        assertThat(connections.serializer().serialize(TOPIC, null)).isNull();
        assertThat(connections.deserializer().deserialize(TOPIC, null)).isNull();
    }

    @Test
    void cutOrPaddedValuesAreErrorsNamingTheTopic() {
        byte[] bytes = connections.serializer().serialize(TOPIC, attached());
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] cutShort = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, cutShort))
                    .isInstanceOf(SerializationException.class).hasMessageContaining(TOPIC);
        }
        byte[] padded = Arrays.copyOf(bytes, bytes.length + 2);
        assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, padded))
                .isInstanceOf(SerializationException.class).hasMessageContaining("2 bytes follow");
    }

    @Test
    void unknownFormatIsAnError() {
        assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, new byte[] {7, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("0x07");
    }
}
