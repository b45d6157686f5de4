package io.finwatch.streams.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.streams.aggregate.EndedEpisode;
import io.finwatch.streams.aggregate.EndedEpisodeSerde;
import io.finwatch.streams.aggregate.EndedEpisodes;
import io.finwatch.streams.aggregate.EndedEpisodesSerde;
import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.detect.ConnectionState;
import io.finwatch.streams.detect.ConnectionStateSerde;
import io.finwatch.streams.detect.HostSummary;
import io.finwatch.streams.detect.HostSummarySerde;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

    private static HostSummary heardHost() {
        return new HostSummary("node-3", "run-7", "1.4.0", 1_700_000_000_000L, 1_700_000_005_000L, 1000,
                new TreeMap<>(Map.of("ESTABLISHED", 812L, "FIN_WAIT2", 3L, "TIME_WAIT", 40L)),
                List.of(new HostSummary.NamespaceSummary(4026531840L, 60, "SYSCTL", 850), new HostSummary.NamespaceSummary(1, 30, "DEFAULT", 5)),
                2, 1, 855, 0, 4, 17, false, null, true, 99, null);
    }

    private static HostSummary silentHost() {
        return new HostSummary("node-4", "run-1", "ünïcode", 0, -1, 250, new TreeMap<>(), List.of(), 0, 0, 0, 0, 0, 0, true,
                1_700_000_900_000L, false, Long.MAX_VALUE, 41L);
    }

    @Test
    void hostSummariesRoundTripAndJsonOfEarlierVersionsStillReads() {
        HostSummarySerde serde = new HostSummarySerde();
        for (HostSummary h : List.of(heardHost(), silentHost())) {
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, h))).isEqualTo(h);
            byte[] json = new JsonSerde<>(HostSummary.class).serializer().serialize(TOPIC, h);
            assertThat(serde.deserializer().deserialize(TOPIC, json)).isEqualTo(h);
        }
    }

    @Test
    void batchesOfEndedEpisodesRoundTrip() {
        EndedEpisodesSerde batches = new EndedEpisodesSerde();
        EndedEpisodes batch = new EndedEpisodes(List.of(new EndedEpisode("node-1", "node-1|-|", 0, 1_700_000_000_000L),
                new EndedEpisode("node-2", "node-2|7|sshd", 86_400_000L, 1_700_000_000_500L)));
        assertThat(batches.deserializer().deserialize(TOPIC, batches.serializer().serialize(TOPIC, batch))).isEqualTo(batch);
        EndedEpisodes empty = new EndedEpisodes(List.of());
        assertThat(batches.deserializer().deserialize(TOPIC, batches.serializer().serialize(TOPIC, empty))).isEqualTo(empty);
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
