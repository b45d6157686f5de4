package io.finwatch.streams.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.state.RecordSerde;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.DetectorTest;
import io.finwatch.streams.testkit.Fleet.End;
import io.finwatch.streams.testkit.Fleet.Host;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pairing task fed straight through its topic: copies, older reports and the keys of a pair that two keys share
 * change nothing, and ends are kept as long as they are needed.
 */
class PairingPathTest extends DetectorTest {

    TestInputTopic<String, PairingEnd> pairing;
    TestOutputTopic<String, PairFact> facts;
    Host a;
    Host b;
    End server;
    End client;

    @BeforeEach
    void topics() {
        StreamsSettings s = det.settings();
        RecordSerde<PairingEnd> ends = new RecordSerde<>(PairingEnd.class);
        pairing = det.driver().createInputTopic(s.pairingTopic(), new StringSerializer(), ends.serializer());
        facts = det.driver().createOutputTopic(s.pairFactsTopic(), new StringDeserializer(), new RecordSerde<>(PairFact.class).deserializer());
        a = new Host("node-a", 100, List.of("10.217.0.2"), T0);
        b = new Host("node-b", 200, List.of("10.217.0.1"), T0);
        server = a.end("10.217.0.2", 8080, "10.217.0.1", 56490, 4711, "server");
        client = b.end("10.217.0.1", 56490, "10.217.0.2", 8080, 5150, "client");
    }

    /** Pipes the end under each of its keys, as the detector does. */
    void pipe(PairingEnd e) {
        for (PairKeys.Keyed k : PairingEnds.keys(e)) {
            pairing.pipeInput(k.key(), e, T0);
        }
    }

    static final String KEY = "10.217.0.1|56490|10.217.0.2|8080";

    @Test
    void copiesAndOlderReportsChangeNothing() {
        PairingEnd fw2 = PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0));
        PairingEnd cw = PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L));
        PairingEnd cwAgain = PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0.plusSeconds(1), 1L));
        PairingEnd lastAck = PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(2), 1L));
        pipe(fw2);
        assertThat(facts.readValuesToList()).isEmpty();
        pipe(cw);
        List<PairFact> first = facts.readValuesToList();
        assertThat(first).extracting(PairFact::getHost).containsExactlyInAnyOrder("node-a", "node-b");

        pipe(cw);
        pipe(fw2);
        assertThat(facts.readValuesToList()).as("copies").isEmpty();

        pipe(lastAck);
        List<PairFact> afterLastAck = facts.readValuesToList();
        assertThat(afterLastAck).hasSize(1);
        assertThat(afterLastAck.get(0).getHost()).isEqualTo("node-a");
        assertThat(afterLastAck.get(0).getPeer().getState()).isEqualTo(TcpState.LAST_ACK);
        assertThat(afterLastAck.get(0).getPeerSentFin()).isTrue();

        pipe(cwAgain);
        assertThat(facts.readValuesToList()).as("an older report after a newer one").isEmpty();
        KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(lastAck))).getState()).isEqualTo(TcpState.LAST_ACK);
    }

    @Test
    void anEndThatWentStaysWhileItsPeerIsJudgedAndGoesWithIt() {
        PairingEnd fw2 = PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0));
        pipe(fw2);
        pipe(PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L)));
        pipe(PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(1), 1L)));
        PairingEnd gone = PairingEnds.of(client.to(TcpState.GONE, T0.plusSeconds(8)));
        pipe(gone);
        KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
        PairingEnd kept = store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(gone)));
        assertThat(kept.getState()).isEqualTo(TcpState.GONE);
        assertThat(kept.getSentFin()).as("remembered through GONE").isTrue();

        pipe(PairingEnds.of(server.to(TcpState.GONE, T0.plusSeconds(20))));
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(gone)))).isNull();
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(fw2)))).isNull();
    }

    @Test
    void aFinWait2EndReportedAfterItsPeerWentStillLearnsThePeerSentItsFin() {
        pipe(PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L)));
        pipe(PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(1), 1L)));
        pipe(PairingEnds.of(client.to(TcpState.GONE, T0.plusSeconds(8))));
        assertThat(facts.readValuesToList()).isEmpty();

        pipe(PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0)));

        List<PairFact> told = facts.readValuesToList();
        assertThat(told).hasSize(1);
        assertThat(told.get(0).getHost()).isEqualTo("node-a");
        assertThat(told.get(0).getPeer().getState()).isEqualTo(TcpState.GONE);
        assertThat(told.get(0).getPeerSentFin()).isTrue();
    }

    @Test
    void aKeptEndGoesAfterItsTime() {
        pipe(PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L)));
        PairingEnd gone = PairingEnds.of(client.to(TcpState.GONE, T0.plusSeconds(1)));
        pipe(gone);
        KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(gone)))).isNotNull();
        det.advance(java.time.Duration.ofMillis(PairingProcessor.GONE_KEPT_MS + 20_000));
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(gone)))).isNull();
    }

    @Test
    void aLastAckEndNotHeardOfForLongerThanTheKernelRetransmitsEndsAsAGoneThatSentItsFin() {
        PairingEnd fw2 = PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0));
        pipe(fw2);
        pipe(PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 0L)));
        PairingEnd lastAck = PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(1), 0L));
        pipe(lastAck);
        facts.readValuesToList();
        KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
        String clientEnd = StoreKeys.pairEnd(KEY, PairingEnds.id(lastAck));

        det.advance(java.time.Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS - 60_000));
        assertThat(store.get(clientEnd).getState()).as("within the span").isEqualTo(TcpState.LAST_ACK);
        assertThat(facts.readValuesToList()).isEmpty();

        det.advance(java.time.Duration.ofMillis(120_000));
        List<PairFact> told = facts.readValuesToList();
        assertThat(told).as("the FIN_WAIT2 end learns its peer went, having sent its FIN").hasSize(1);
        assertThat(told.get(0).getHost()).isEqualTo("node-a");
        assertThat(told.get(0).getPeer().getState()).isEqualTo(TcpState.GONE);
        assertThat(told.get(0).getPeerSentFin()).isTrue();
        assertThat(told.get(0).getPeer().getPid()).as("still naming the process that held it").isEqualTo(5150);
        assertThat(store.get(clientEnd).getState()).as("kept while its peer is judged").isEqualTo(TcpState.GONE);

        pipe(PairingEnds.of(server.to(TcpState.GONE, T0.plusSeconds(4000))));
        assertThat(store.get(clientEnd)).isNull();
        assertThat(store.get(StoreKeys.pairEnd(KEY, PairingEnds.id(fw2)))).isNull();
    }

    @Test
    void aLaterReportOfALastAckEndCountsTheSpanAnew() {
        PairingEnd first = PairingEnds.of(client.to(TcpState.LAST_ACK, T0, 0L));
        pipe(first);
        KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
        String end = StoreKeys.pairEnd(KEY, PairingEnds.id(first));
        det.advance(java.time.Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS / 2));
        pipe(PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(1), 0L)));

        det.advance(java.time.Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS / 2 + 60_000));
        assertThat(store.get(end)).as("the first report's span has passed, the second's has not").isNotNull();

        det.advance(java.time.Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS / 2));
        assertThat(store.get(end).getState()).as("ended: kept as any passive closer's GONE, for a late FIN_WAIT2 peer").isEqualTo(TcpState.GONE);
        assertThat(store.get(end).getSentFin()).isTrue();
        det.advance(java.time.Duration.ofMillis(PairingProcessor.GONE_KEPT_MS + 20_000));
        assertThat(store.get(end)).as("no peer came: the end goes").isNull();
        assertThat(facts.readValuesToList()).isEmpty();
    }

    @Test
    void aPairSharingTwoKeysIsToldOnce() {
        // The same-node row of FINDINGS section 3: both ends find the one entry, so both keys are shared.
        Host r = new Host("node-r", 300, List.of("10.217.1.2", "10.217.2.2"), T0);
        End cli = r.end("10.217.1.2", 53104, "10.217.99.10", 80, 1, "client")
                .nat(ConntrackScope.HOST_NAMESPACE, "10.217.1.2:53104", "10.217.99.10:80", "10.217.2.2:8080", "10.217.2.1:53104");
        End srv = r.end("10.217.2.2", 8080, "10.217.2.1", 53104, 2, "server")
                .nat(ConntrackScope.HOST_NAMESPACE, "10.217.1.2:53104", "10.217.99.10:80", "10.217.2.2:8080", "10.217.2.1:53104");
        pipe(PairingEnds.of(srv.to(TcpState.FIN_WAIT2, T0)));
        pipe(PairingEnds.of(cli.to(TcpState.CLOSE_WAIT, T0, 1L)));
        List<PairFact> told = facts.readValuesToList();
        assertThat(told).hasSize(2);
        assertThat(told).extracting(PairFact::getPairKey).containsOnly("10.217.1.2|53104|10.217.99.10|80");
    }

    @Test
    void aLaterConnectionOnTheSame4TupleIsNotPairedWithTheEndOfAnEarlierOne() {
        pipe(PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L)));
        pipe(PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0)));
        facts.readValuesToList();
        // The server's socket goes, keeping the client's end (it is judged); a new connection reuses the tuple later.
        pipe(PairingEnds.of(server.to(TcpState.GONE, T0.plusSeconds(2))));
        facts.readValuesToList();
        End server2 = a.end("10.217.0.2", 8080, "10.217.0.1", 56490, 4711, "server");
        pipe(PairingEnds.of(client.to(TcpState.GONE, T0.plusSeconds(3))));
        pipe(PairingEnds.of(server2.to(TcpState.FIN_WAIT2, T0.plusSeconds(30))));
        assertThat(facts.readValuesToList()).isEmpty();
    }

    /**
     * The task reads its ends from an index it keeps beside the store and rebuilds from it at every start. A task
     * restarted from its store after every step must therefore tell what one that never stopped tells, and hold the
     * same ends: an index that missed a write or a delete would differ from the store it is rebuilt from.
     */
    @Test
    void aTaskRestartedAfterEveryStepTellsWhatOneThatNeverStoppedTells() {
        End server2 = a.end("10.217.0.2", 8080, "10.217.0.1", 41000, 4711, "server");
        End client2 = b.end("10.217.0.1", 41000, "10.217.0.2", 8080, 5150, "client");
        End server3 = a.end("10.217.0.2", 8080, "10.217.0.1", 41001, 4711, "server");
        End client3 = b.end("10.217.0.1", 41001, "10.217.0.2", 8080, 5150, "client");
        // Each report is made once, before either run: making one takes its host's next seq.
        PairingEnd e1 = PairingEnds.of(server.to(TcpState.FIN_WAIT2, T0));
        PairingEnd e2 = PairingEnds.of(client.to(TcpState.CLOSE_WAIT, T0, 1L));
        PairingEnd e4 = PairingEnds.of(client.to(TcpState.LAST_ACK, T0.plusSeconds(1), 1L));
        PairingEnd e5 = PairingEnds.of(client.to(TcpState.GONE, T0.plusSeconds(8)));
        PairingEnd e6 = PairingEnds.of(client2.to(TcpState.CLOSE_WAIT, T0.plusSeconds(9), 0L));
        PairingEnd e7 = PairingEnds.of(client2.to(TcpState.LAST_ACK, T0.plusSeconds(10), 0L));
        PairingEnd e8 = PairingEnds.of(server3.to(TcpState.FIN_WAIT2, T0.plusSeconds(10)));
        PairingEnd e9 = PairingEnds.of(server.to(TcpState.GONE, T0.plusSeconds(200)));
        PairingEnd e10 = PairingEnds.of(server2.to(TcpState.FIN_WAIT2, T0.plusSeconds(11)));
        PairingEnd e11 = PairingEnds.of(server3.to(TcpState.GONE, T0.plusSeconds(2000)));
        // Reported after its peer's end went unneeded and was dropped: nothing is left to pair it with.
        PairingEnd e12 = PairingEnds.of(client3.to(TcpState.CLOSE_WAIT, T0.plusSeconds(1500), 1L));
        List<Consumer<Steps>> script = List.of(
                st -> st.pipe(e1),
                st -> st.pipe(e2),
                st -> st.pipe(e2),
                st -> st.pipe(e4),
                st -> st.pipe(e5),
                st -> st.pipe(e6),
                st -> st.pipe(e7),
                st -> st.pipe(e8),
                st -> st.advance(Duration.ofMillis(PairingProcessor.GONE_KEPT_MS + 20_000)),
                st -> st.pipe(e9),
                st -> st.advance(Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS + 20_000)),
                st -> st.pipe(e10),
                st -> st.pipe(e11),
                st -> st.pipe(e12),
                st -> st.advance(Duration.ofMillis(PairingProcessor.GONE_KEPT_MS + 20_000)));

        Steps straight = new Steps(new DetectorHarness(StreamsSettings.defaults(), stateDir.resolve("straight"), T0,
                StreamsConfig.AT_LEAST_ONCE), false);
        Steps restarted = new Steps(new DetectorHarness(StreamsSettings.defaults(), stateDir.resolve("restarted"), T0,
                StreamsConfig.AT_LEAST_ONCE), true);
        try {
            script.forEach(step -> step.accept(straight));
            script.forEach(step -> step.accept(restarted));

            assertThat(straight.told).as("facts told").isNotEmpty();
            assertThat(restarted.told).as("facts told").isEqualTo(straight.told);
            assertThat(restarted.ends()).as("ends held").isEqualTo(straight.ends());
        } finally {
            straight.det.close();
            restarted.det.close();
        }
    }

    /** A detector fed one step at a time, restarted from its state after each one when asked. */
    private static final class Steps {
        DetectorHarness det;
        final boolean restart;
        final List<String> told = new ArrayList<>();
        private final Path dir;

        Steps(DetectorHarness det, boolean restart) {
            this.det = det;
            this.restart = restart;
            this.dir = det.stateDirectory();
        }

        void pipe(PairingEnd e) {
            StreamsSettings s = det.settings();
            TestInputTopic<String, PairingEnd> in = det.driver().createInputTopic(s.pairingTopic(), new StringSerializer(),
                    new RecordSerde<>(PairingEnd.class).serializer());
            for (PairKeys.Keyed k : PairingEnds.keys(e)) {
                in.pipeInput(k.key(), e, T0);
            }
            after();
        }

        void advance(Duration d) {
            det.advance(d);
            after();
        }

        private void after() {
            StreamsSettings s = det.settings();
            det.driver().createOutputTopic(s.pairFactsTopic(), new StringDeserializer(), new RecordSerde<>(PairFact.class).deserializer())
                    .readValuesToList().forEach(f -> told.add(f.toString()));
            if (restart) {
                det.crashAfterCommit();
                det = new DetectorHarness(StreamsSettings.defaults(), dir, det.wallClock(), StreamsConfig.AT_LEAST_ONCE);
            }
        }

        Map<String, String> ends() {
            Map<String, String> held = new TreeMap<>();
            KeyValueStore<String, PairingEnd> store = det.keyValueStore(StoreNames.PAIR_ENDS);
            try (KeyValueIterator<String, PairingEnd> it = store.all()) {
                it.forEachRemaining((KeyValue<String, PairingEnd> e) -> held.put(e.key, e.value.toString()));
            }
            return held;
        }
    }
}
