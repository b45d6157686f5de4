package io.finwatch.streams.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedup marks are held in memory between commits ({@link SeqMarks}); what a commit covers must be in the store
 * by then. The test driver commits after every record; a crash right after a commit loses the memory and keeps the
 * store files, so a re-send of anything before it must still be dropped by the next instance.
 *
 * <p>At-least-once here because the test driver cannot restore a changelog (see {@link DetectorHarness}); the
 * exactly-once path, re-sends across SIGKILL with the state restored from the changelog, is
 * {@code CrashRecoveryTest}'s.
 */
class DedupMarksCommitTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Proc APP = new Proc(4711, "envoy", null);

    @TempDir
    Path stateDir;

    @Test
    void marksOfCommittedEventsSurviveACrashAfterTheCommit() {
        CollectorRun run = new CollectorRun("node-9", "run-1", T0, 1000, 60);
        CollectorHeartbeat hb = run.heartbeat();
        SocketTransition open = run.attached(run.socket(43000), null, TcpState.ESTABLISHED, APP);
        SocketTransition enter = run.attached(run.socket(43001), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP);
        SocketTransition newer = run.attached(run.socket(43002), null, TcpState.ESTABLISHED, APP);

        DetectorHarness first = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        first.send(hb).send(open).send(enter);
        assertThat(duplicates(first, first.settings().transitionsTopic())).isZero();
        first.crashAfterCommit();

        DetectorHarness second = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0.plusSeconds(5), StreamsConfig.AT_LEAST_ONCE);
        try {
            // The collector's producer retried what it could not confirm before the crash.
            second.send(open).send(enter).send(hb).send(newer);
            assertThat(duplicates(second, second.settings().transitionsTopic())).as("both transitions and the heartbeat re-sent")
                    .isEqualTo(3);
        } finally {
            second.close();
        }
    }

    @Test
    void marksOfCollectorRunsGoneForTheRetentionAreSwept() {
        StreamsSettings settings = StreamsSettings.defaults();
        CollectorRun run = new CollectorRun("node-9", "run-1", T0, 1000, 60);
        SocketTransition open = run.attached(run.socket(43100), null, TcpState.ESTABLISHED, APP);
        DetectorHarness det = new DetectorHarness(settings, stateDir, T0);
        try {
            det.send(open).send(open);
            assertThat(duplicates(det, settings.transitionsTopic())).isEqualTo(1);

            det.advance(settings.dedupRetention().plus(Duration.ofHours(2)));
            det.send(open);
            assertThat(duplicates(det, settings.transitionsTopic())).as("the mark is gone: the event reads as new").isEqualTo(1);
            det.send(open);
            assertThat(duplicates(det, settings.transitionsTopic())).as("and is marked again").isEqualTo(2);
        } finally {
            det.close();
        }
    }

    static double duplicates(DetectorHarness det, String topic) {
        return det.metrics().counterValue("finwatch_streams_duplicates_dropped_total", "topic", topic);
    }
}
