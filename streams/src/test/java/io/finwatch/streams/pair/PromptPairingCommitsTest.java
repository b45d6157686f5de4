package io.finwatch.streams.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.common.http.HttpLimits;
import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.streams.testkit.Fleet.End;
import io.finwatch.streams.testkit.Fleet.Host;
import io.finwatch.streams.testkit.RunningDetector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where commits are rare (local's 10 s), the pairing path asks for prompt commits, so a STUCK raised seconds after
 * both ends were reported already names its peer. Before, each hop waited for a commit interval: the STUCK came out
 * UNDETERMINED and its verdict followed as an UPDATED. A real broker and a real detector: the commits are the point.
 */
class PromptPairingCommitsTest {

    @TempDir
    Path stateDir;

    @Test
    void whereCommitsAreRareAStuckEndAlreadyNamesItsPeer() {
        try (RunningDetector det = RunningDetector.start(stateDir, null, HttpLimits.api(), 1, Duration.ofSeconds(10))) {
            Scene scene = Scene.running(det);
            det.send(List.of(scene.serverShutdown(), scene.client().to(TcpState.CLOSE_WAIT, scene.t0(), 1L)));

            FinWait2Anomaly stuck = scene.awaitServerStuck();
            assertThat(stuck.getVerdict()).as("%s (sent at %s; all: %s)", stuck.getEvidence(), scene.t0(), det.anomalies())
                    .isEqualTo(Verdict.PEER_NEVER_CLOSED);
            assertThat(stuck.getPeer().getHost()).isEqualTo("node-b");
            assertThat(stuck.getPeer().getPid()).isEqualTo(5150);
        }
    }

    /**
     * The two ends of one shutdown are often read in polls a few hundred ms apart. The second end's request for a
     * commit came within the second of the first's and was dropped, so the end waited for the 10 s interval (or the
     * STUCK's own commit), and the STUCK came out UNDETERMINED with its verdict in an UPDATED after it.
     */
    @Test
    void anEndReadWithinTheSecondOfTheOtherIsCommittedAtTheEndOfThatSecond() {
        try (RunningDetector det = RunningDetector.start(stateDir, null, HttpLimits.api(), 1, Duration.ofSeconds(10))) {
            Scene scene = Scene.running(det);
            det.send(List.of(scene.serverShutdown()));
            // The server's end is processed (and its commit asked for) before the client's is sent.
            HttpClient http = HttpClient.newHttpClient();
            URI finWait = det.url().resolve("/api/hosts/node-a/finwait2");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> http.send(HttpRequest.newBuilder(finWait).build(), HttpResponse.BodyHandlers.ofString()).body(),
                            body -> body.contains("56490"));
            det.send(List.of(scene.client().to(TcpState.CLOSE_WAIT, Instant.now(), 1L)));

            FinWait2Anomaly stuck = scene.awaitServerStuck();
            assertThat(stuck.getVerdict()).as("%s (sent at %s; all: %s)", stuck.getEvidence(), scene.t0(), det.anomalies())
                    .isEqualTo(Verdict.PEER_NEVER_CLOSED);
            assertThat(stuck.getPeer().getPid()).isEqualTo(5150);
        }
    }

    /** A server on node-a whose client is on node-b, both hosts heard, on a detector that is running. */
    private record Scene(RunningDetector det, Instant t0, Host a, Host b, End server, End client) {

        static Scene running(RunningDetector det) {
            // The first commit interval starts with the tasks: wait for them, as a detector long up would be.
            await().atMost(Duration.ofSeconds(60)).until(() -> det.state() == KafkaStreams.State.RUNNING);
            Instant t0 = Instant.now();
            Host a = new Host("node-a", 100, List.of("10.217.0.2"), t0);
            Host b = new Host("node-b", 200, List.of("10.217.0.1"), t0);
            det.send(List.of(a.heartbeat(t0), b.heartbeat(t0)));
            return new Scene(det, t0, a, b, a.end("10.217.0.2", 8080, "10.217.0.1", 56490, 4711, "server"),
                    b.end("10.217.0.1", 56490, "10.217.0.2", 8080, 5150, "client"));
        }

        /** The server's shutdown(SHUT_WR) at t0, in a namespace whose fin timeout is 5 s. */
        SocketTransition serverShutdown() {
            SocketTransition shutdown = server.to(TcpState.FIN_WAIT2, t0);
            shutdown.setFinTimeoutS(5);
            return shutdown;
        }

        /** The server end's STUCK, with both hosts heard meanwhile as their collectors would be. */
        FinWait2Anomaly awaitServerStuck() {
            Predicate<FinWait2Anomaly> serverStuck = x -> x.getKind() == AnomalyKind.STUCK && x.getHost().equals("node-a");
            return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                Instant now = Instant.now();
                det.send(List.of(a.heartbeat(now), b.heartbeat(now)));
                return det.anomalies().stream().filter(serverStuck).findFirst();
            }, Optional::isPresent).orElseThrow();
        }
    }
}
