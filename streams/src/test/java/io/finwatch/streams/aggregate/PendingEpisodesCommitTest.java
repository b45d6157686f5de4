package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.state.BeforeCommitStore;
import io.finwatch.streams.state.EarlierValues;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ended episodes wait in memory until the next commit writes them as one pending batch; an episode a commit
 * covers must reach the dwell histograms even when the instance crashes before the fold. The test driver commits
 * after every record; a crash right after a commit loses the memory and keeps the store files.
 *
 * <p>At-least-once here because the test driver cannot restore a changelog (see {@link DetectorHarness}).
 */
class PendingEpisodesCommitTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Proc NGINX = new Proc(100, "nginx", null);

    @TempDir
    Path stateDir;

    @Test
    void episodesEndedBeforeACommitAreFoldedAfterACrash() {
        StreamsSettings settings = StreamsSettings.defaults();
        CollectorRun run = new CollectorRun("node-7", "run-1", T0, 1000, 3600);
        DetectorHarness first = new DetectorHarness(settings, stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        for (int i = 0; i < 5; i++) {
            Socket s = run.socket(44000 + i);
            first.send(run.at(T0).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
            first.send(run.at(T0.plusMillis(1000L * (i + 1))).attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, NGINX));
        }
        first.crashAfterCommit();

        DetectorHarness second = new DetectorHarness(settings, stateDir, T0.plusSeconds(10), StreamsConfig.AT_LEAST_ONCE);
        try {
            second.advance(settings.foldEvery().plusSeconds(1));
            byte[] host = second.<String, byte[]>keyValueStore(StoreNames.DWELL_ALL_TIME).get(StoreKeys.host("node-7"));
            assertThat(host).as("the host's all-time histogram").isNotNull();
            DwellStats stats = DwellStats.of(host);
            assertThat(stats.count()).isEqualTo(5);
            assertThat(stats.max()).isBetween(4950L, 5050L);
        } finally {
            second.close();
        }
    }

    @Test
    void singleEpisodesLeftPendingByEarlierVersionsAreFolded() {
        StreamsSettings settings = StreamsSettings.defaults();
        DetectorHarness det = new DetectorHarness(settings, stateDir, T0);
        try {
            BeforeCommitStore<String, byte[]> pending = det.stateStore(StoreNames.DWELL_PENDING);
            EndedEpisode legacy = new EndedEpisode(StoreKeys.host("node-8"), StoreKeys.process("node-8", 100, "nginx"), 2500,
                    T0.toEpochMilli());
            byte[] written = EarlierValues.read("pending-single.compact");
            assertThat(EarlierPendingEpisode.read("legacy", written)).isEqualTo(legacy);
            pending.store().put("node-8|4026531840|4|10.0.0.8|44100|10.0.0.9|443|0|" + T0.minusSeconds(3).toEpochMilli(), written);

            det.advance(settings.foldEvery().plusSeconds(1));

            DwellStats stats = DwellStats.of(det.<String, byte[]>keyValueStore(StoreNames.DWELL_ALL_TIME).get(StoreKeys.host("node-8")));
            assertThat(stats.count()).isEqualTo(1);
            assertThat(stats.max()).isBetween(2475L, 2525L);
            assertThat(pending.store().approximateNumEntries()).as("folded entries leave the pending store").isZero();
        } finally {
            det.close();
        }
    }
}
