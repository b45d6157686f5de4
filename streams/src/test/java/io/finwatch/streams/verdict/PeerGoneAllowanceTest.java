package io.finwatch.streams.verdict;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.directory.HostDirectory;
import io.finwatch.streams.directory.HostDirectoryProcessor;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.Fleet.Host;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A FIN_WAIT2 end with no peer fact is PEER_GONE only once the pairing path has had time to bring what the peer host's
 * table read held: the directory arrives a hop before the fact, so judging at once said PEER_GONE for a peer that was
 * there.
 */
class PeerGoneAllowanceTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    private static final long ALLOWANCE_MS = 21_000;

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private HostDirectory directory;
    private HostDirectoryProcessor feed;
    private final Host b = new Host("node-b", 200, List.of("10.217.0.1"), T0);
    /** node-a's server in FIN_WAIT2 since T0 towards node-b's client. */
    private final VerdictRules.Subject server = new VerdictRules.Subject("node-a", 100, TcpState.FIN_WAIT2, T0.toEpochMilli(),
            "10.217.0.2", 8080, "10.217.0.1", 56490, null, null);

    @BeforeEach
    void directory() {
        KeyValueStore<String, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.HOST_DIRECTORY),
                Serdes.String(), Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        feed = new HostDirectoryProcessor();
        feed.init(context);
        directory = new HostDirectory(store);
    }

    private void heard(Instant at) {
        feed.process(new Record<>("node-b", FinwatchSerde.shared().encode(b.heartbeat(at)), at.toEpochMilli()));
    }

    private VerdictRules.Judgement judgeAt(Instant now) {
        return VerdictRules.judge(server, null, directory, now.toEpochMilli(), ALLOWANCE_MS);
    }

    @Test
    void undeterminedWhileWhatTheFirstTellingReadHeldMayStillBeOnThePairingPath() {
        long interval = b.heartbeat(T0).getIntervalMs();
        heard(T0.plusMillis(interval));
        Instant firstTelling = T0.plusMillis(interval);

        VerdictRules.Judgement early = judgeAt(firstTelling.plusMillis(ALLOWANCE_MS - 1));
        assertThat(early.verdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(early.evidence()).contains("node-b").contains("may still be on its way through pairing until "
                + firstTelling.plusMillis(ALLOWANCE_MS));

        // Later reads only repeat what the first telling one said: the wait counts from that one.
        heard(firstTelling.plusMillis(ALLOWANCE_MS - 2));
        VerdictRules.Judgement due = judgeAt(firstTelling.plusMillis(ALLOWANCE_MS));
        assertThat(due.verdict()).isEqualTo(Verdict.PEER_GONE);
        assertThat(due.evidence()).contains("node-b").contains("10.217.0.1").contains("its FIN will never come");
    }

    @Test
    void undeterminedWhileThePeerHostHasNotReadItsTableSinceThisEndEnteredFinWait2() {
        heard(T0);
        VerdictRules.Judgement j = judgeAt(T0.plusSeconds(600));
        assertThat(j.verdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(j.evidence()).contains("has not reported a table read since");
    }
}
