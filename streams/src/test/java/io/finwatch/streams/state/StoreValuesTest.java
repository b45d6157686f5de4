package io.finwatch.streams.state;

import io.finwatch.schemas.ShutdownFlags;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.aggregate.EndedEpisode;
import io.finwatch.streams.aggregate.EndedEpisodes;
import io.finwatch.streams.aggregate.EndedEpisodesSerde;
import io.finwatch.streams.dedup.SeqMark;
import io.finwatch.streams.dedup.SeqMarkSerde;
import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.detect.ConnectionState;
import io.finwatch.streams.detect.ConnectionStateSerde;
import io.finwatch.streams.detect.HostSummary;
import io.finwatch.streams.detect.HostSummarySerde;
import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.detect.OpenCountsSerde;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The store values' serdes: Avro records both ways, and every form an earlier release wrote still read. */
class StoreValuesTest {

    private static final String TOPIC = "finwatch-connections-changelog";
    private final ConnectionStateSerde connections = new ConnectionStateSerde();
    private final EndedEpisodesSerde batches = new EndedEpisodesSerde();

    static ConnectionState attached() {
        return new ConnectionState(new ConnectionKey("node-1", 4026531840L, 10, "::ffff:10.0.0.1", 443, "::ffff:10.0.0.2", 51234, 0),
                1_700_000_000_000L, 1_700_000_060_000L, 1_700_000_060_000L, false, 60, 1234, "kube-prøxy", "c0ffee", "run-1", false,
                1000, 42);
    }

    static ConnectionState orphanWithoutOwner() {
        return new ConnectionState(new ConnectionKey("node-2", 1, 2, "10.0.0.1", 80, "10.0.0.3", 1, 3), -5, 0, Long.MAX_VALUE, true, 0,
                null, null, null, null, true, 0, Long.MIN_VALUE);
    }

    static HostSummary heardHost() {
        return new HostSummary("node-3", "run-7", "1.4.0", 1_700_000_000_000L, 1_700_000_005_000L, 1000,
                new TreeMap<>(Map.of("ESTABLISHED", 812L, "FIN_WAIT2", 3L, "TIME_WAIT", 40L)),
                List.of(new HostSummary.NamespaceSummary(4026531840L, 60, "SYSCTL", 850), new HostSummary.NamespaceSummary(1, 30, "DEFAULT", 5)),
                2, 1, 855, 0, 4, 17, false, null, true, 99, null);
    }

    static HostSummary silentHost() {
        return new HostSummary("node-4", "run-1", "ünïcode", 0, -1, 250, new TreeMap<>(), List.of(), 0, 0, 0, 0, 0, 0, true,
                1_700_000_900_000L, false, Long.MAX_VALUE, 41L);
    }

    static EndedEpisodes batch() {
        return new EndedEpisodes(List.of(new EndedEpisode("node-1", "node-1|-|", 0, 1_700_000_000_000L),
                new EndedEpisode("node-2", "node-2|7|sshd", 86_400_000L, 1_700_000_000_500L)));
    }

    @Test
    void connectionStatesRoundTripWithAndWithoutOwner() {
        for (ConnectionState c : List.of(attached(), orphanWithoutOwner(), attached().withFacts(ShutdownFlags.WR, 6L, 0L))) {
            byte[] bytes = connections.serializer().serialize(TOPIC, c);
            assertThat(connections.deserializer().deserialize(TOPIC, bytes)).isEqualTo(c);
        }
    }

    @Test
    void valuesWrittenAsJsonByEarlierVersionsStillRead() {
        assertThat(connections.deserializer().deserialize(TOPIC, earlier("connection-attached.json"))).isEqualTo(attached());
        assertThat(connections.deserializer().deserialize(TOPIC, earlier("connection-orphan.json"))).isEqualTo(orphanWithoutOwner());
    }

    /** What the last release before the Avro records wrote: the compact form, and open counts as two longs. */
    @Test
    void valuesWrittenInTheCompactFormStillRead() {
        assertThat(connections.deserializer().deserialize(TOPIC, earlier("connection-attached.compact"))).isEqualTo(attached());
        assertThat(connections.deserializer().deserialize(TOPIC, earlier("connection-orphan.compact"))).isEqualTo(orphanWithoutOwner());
        HostSummarySerde hosts = new HostSummarySerde();
        assertThat(hosts.deserializer().deserialize(TOPIC, earlier("host-heard.compact"))).isEqualTo(heardHost());
        assertThat(hosts.deserializer().deserialize(TOPIC, earlier("host-silent.compact"))).isEqualTo(silentHost());
        assertThat(batches.deserializer().deserialize(TOPIC, earlier("pending-batch.compact"))).isEqualTo(batch());
        assertThat(batches.deserializer().deserialize(TOPIC, earlier("pending-batch-empty.compact"))).isEqualTo(new EndedEpisodes(List.of()));
        OpenCountsSerde open = new OpenCountsSerde();
        assertThat(open.deserializer().deserialize(TOPIC, earlier("open-counts.bin"))).isEqualTo(new OpenCounts(3, 1));
        assertThat(open.deserializer().deserialize(TOPIC, earlier("open-counts-large.bin"))).isEqualTo(new OpenCounts(Long.MAX_VALUE, 0));
        assertThat(new SeqMarkSerde().deserializer().deserialize(TOPIC, earlier("dedup-mark.bin")))
                .isEqualTo(new SeqMark(4211, 1_772_366_401_000L));
    }

    @Test
    void valuesAreTheirStoreRecordsInSingleObjectEncoding() {
        FinwatchSerde serde = FinwatchSerde.shared();
        assertThat(serde.identifyOrThrow(connections.serializer().serialize(TOPIC, attached())).recordName()).isEqualTo("SocketEpisode");
        assertThat(serde.identifyOrThrow(new HostSummarySerde().serializer().serialize(TOPIC, heardHost())).recordName())
                .isEqualTo("HostStatus");
        assertThat(serde.identifyOrThrow(new OpenCountsSerde().serializer().serialize(TOPIC, new OpenCounts(1, 2))).recordName())
                .isEqualTo("OpenSocketCounts");
        assertThat(serde.identifyOrThrow(batches.serializer().serialize(TOPIC, batch())).recordName()).isEqualTo("PendingDwell");
        assertThat(serde.identifyOrThrow(new SeqMarkSerde().serializer().serialize(TOPIC, new SeqMark(1, 2))).recordName())
                .isEqualTo("DedupMark");
    }

    @Test
    void endedEpisodesRoundTrip() {
        EndedEpisodes one = new EndedEpisodes(List.of(new EndedEpisode("node-1", "node-1|-|", 0, 1_700_000_000_000L)));
        assertThat(batches.deserializer().deserialize(TOPIC, batches.serializer().serialize(TOPIC, one))).isEqualTo(one);
    }

    @Test
    void hostSummariesRoundTripAndJsonOfEarlierVersionsStillReads() {
        HostSummarySerde serde = new HostSummarySerde();
        for (HostSummary h : List.of(heardHost(), silentHost())) {
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, h))).isEqualTo(h);
        }
        assertThat(serde.deserializer().deserialize(TOPIC, earlier("host-heard.json"))).isEqualTo(heardHost());
        assertThat(serde.deserializer().deserialize(TOPIC, earlier("host-silent.json"))).isEqualTo(silentHost());
    }

    @Test
    void openCountsRoundTrip() {
        OpenCountsSerde serde = new OpenCountsSerde();
        for (OpenCounts c : List.of(new OpenCounts(0, 1), new OpenCounts(Long.MAX_VALUE, 7))) {
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, c))).isEqualTo(c);
        }
    }

    @Test
    void dedupMarksRoundTrip() {
        SeqMarkSerde serde = new SeqMarkSerde();
        for (SeqMark m : List.of(new SeqMark(0, 0), new SeqMark(Long.MAX_VALUE, 1_772_366_401_000L))) {
            assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC, m))).isEqualTo(m);
        }
    }

    @Test
    void batchesOfEndedEpisodesRoundTrip() {
        EndedEpisodes batch = batch();
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
        for (byte[] bytes : List.of(connections.serializer().serialize(TOPIC, attached()), earlier("connection-attached.compact"))) {
            for (int cut = 1; cut < bytes.length; cut++) {
                byte[] cutShort = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, cutShort))
                        .isInstanceOf(SerializationException.class).hasMessageContaining(TOPIC);
            }
            byte[] padded = Arrays.copyOf(bytes, bytes.length + 2);
            assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, padded))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("2 bytes follow");
        }
    }

    @Test
    void unknownFormatIsAnError() {
        for (Serde<?> serde : List.of(connections, new HostSummarySerde(), new OpenCountsSerde(), batches, new SeqMarkSerde())) {
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[] {7, 0, 0}))
                    .isInstanceOf(SerializationException.class).hasMessageContaining(TOPIC);
            assertThatThrownBy(() -> serde.deserializer().deserialize(TOPIC, new byte[0]))
                    .isInstanceOf(SerializationException.class).hasMessageContaining(TOPIC);
        }
        assertThatThrownBy(() -> connections.deserializer().deserialize(TOPIC, new byte[] {7, 0, 0}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("0x07");
    }

    private static byte[] earlier(String file) {
        return EarlierValues.read(file);
    }
}
