package io.finwatch.streams.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.testkit.DetectorHarness;
import io.finwatch.streams.testkit.Fleet;
import io.finwatch.streams.testkit.Fleet.End;
import io.finwatch.streams.testkit.Fleet.Host;
import java.nio.file.Path;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every verdict, from events alone, through the whole topology (pairing topic, pairing task, pair facts, host
 * directory): a server on node-a that called shutdown(SHUT_WR) and holds its socket (FIN_WAIT2), and its client on
 * node-b (CLOSE_WAIT), as the two-host bed of FINDINGS section 4 shows them.
 */
class VerdictTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path stateDir;
    DetectorHarness det;
    Host a;
    Host b;
    End server;
    End client;
    /** Hosts whose collectors are running (send heartbeats). */
    Set<Host> live;

    @BeforeEach
    void start() {
        det = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0);
        a = new Host("node-a", 100, List.of("10.217.0.2"), T0);
        b = new Host("node-b", 200, List.of("10.217.0.1"), T0);
        server = a.end("10.217.0.2", 8080, "10.217.0.1", 56490, 4711, "server");
        client = b.end("10.217.0.1", 56490, "10.217.0.2", 8080, 5150, "client");
        live = new java.util.HashSet<>(Set.of(a, b));
        heartbeats();
    }

    @AfterEach
    void stop() {
        det.close();
    }

    void heartbeats() {
        for (Host h : List.of(a, b)) {
            if (live.contains(h)) {
                det.send(h.heartbeat(det.wallClock()));
            }
        }
    }

    /** Runs the clock a second at a time with the live hosts' heartbeats; the socket anomalies meanwhile. */
    List<FinWait2Anomaly> liveFor(Duration d) {
        List<FinWait2Anomaly> out = new ArrayList<>();
        Instant end = det.wallClock().plus(d);
        while (det.wallClock().isBefore(end)) {
            det.advance(Duration.ofSeconds(1));
            heartbeats();
            det.anomalies().stream().filter(x -> x.getKind() != AnomalyKind.COLLECTOR_SILENT).forEach(out::add);
        }
        return out;
    }

    static FinWait2Anomaly only(List<FinWait2Anomaly> out, String host, AnomalyKind kind) {
        List<FinWait2Anomaly> of = out.stream().filter(x -> x.getHost().equals(host) && x.getKind() == kind).toList();
        assertThat(of).as(kind + " of " + host + " in " + out).hasSize(1);
        return of.get(0);
    }

    @Test
    void peerNeverClosedAndLocalNeverClosedNameEachOther() {
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 201L));

        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(62));

        FinWait2Anomaly fw2 = only(out, "node-a", AnomalyKind.STUCK);
        assertThat(fw2.getState()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_NEVER_CLOSED);
        assertThat(fw2.getPeer().getHost()).isEqualTo("node-b");
        assertThat(fw2.getPeer().getPid()).isEqualTo(5150);
        assertThat(fw2.getPeer().getState()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(fw2.getPeer().getRecvQ()).isEqualTo(201L);
        assertThat(fw2.getEvidence()).contains("CLOSE_WAIT").contains("200 bytes unread").contains("5150");

        FinWait2Anomaly cw = only(out, "node-b", AnomalyKind.STUCK);
        assertThat(cw.getState()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(cw.getReason()).isEqualTo(AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD);
        assertThat(cw.getVerdict()).isEqualTo(Verdict.LOCAL_NEVER_CLOSED);
        assertThat(cw.getRecvQ()).isEqualTo(201L);
        assertThat(cw.getPeer().getHost()).isEqualTo("node-a");
        assertThat(cw.getPeer().getPid()).isEqualTo(4711);
        assertThat(cw.getPeer().getState()).isEqualTo(TcpState.FIN_WAIT2);
        assertThat(cw.getEvidence()).contains("200 bytes unread");
        assertThat(out).noneMatch(x -> x.getKind() == AnomalyKind.UPDATED);
    }

    @Test
    void finLostStaysOnceThePeerWasSeenInLastAckEvenAfterItWent() {
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        liveFor(Duration.ofSeconds(5));
        det.send(client.to(TcpState.LAST_ACK, det.wallClock(), 1L));
        liveFor(Duration.ofSeconds(7));
        det.send(client.to(TcpState.GONE, det.wallClock()));

        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(55));

        FinWait2Anomaly fw2 = only(out, "node-a", AnomalyKind.STUCK);
        assertThat(fw2.getVerdict()).isEqualTo(Verdict.FIN_LOST);
        assertThat(fw2.getPeer().getState()).isEqualTo(TcpState.GONE);
        assertThat(fw2.getEvidence()).contains("sent its FIN");
        assertThat(out).as("the client's CLOSE_WAIT ended before its threshold").noneMatch(x -> x.getHost().equals("node-b"));
    }

    @Test
    void aLastAckPeerThatWentUnreportedIsEndedAfterTheKernelsRetransmissionSpanAcrossARestart() {
        det.close();
        Path dir = stateDir.resolve("transient");
        det = new DetectorHarness(StreamsSettings.defaults(), dir, T0, StreamsConfig.AT_LEAST_ONCE);
        heartbeats();
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 0L));
        det.send(client.to(TcpState.LAST_ACK, det.wallClock(), 0L));
        assertThat(only(liveFor(Duration.ofSeconds(62)), "node-a", AnomalyKind.STUCK).getVerdict()).isEqualTo(Verdict.FIN_LOST);
        det.crashAfterCommit();

        // The client's socket went while node-b's collector was down: no GONE of it will ever come.
        det = new DetectorHarness(StreamsSettings.defaults(), dir, T0.plusSeconds(70), StreamsConfig.AT_LEAST_ONCE);
        heartbeats();
        KeyValueStore<String, PairingEnd> ends = det.keyValueStore(StoreNames.PAIR_ENDS);
        liveFor(Duration.ofMillis(PairingProcessor.TRANSIENT_MAX_MS - 60_000));
        assertThat(states(ends)).as("within the span of the restarted task's clock").contains(TcpState.LAST_ACK);

        List<FinWait2Anomaly> after = liveFor(Duration.ofSeconds(120));
        assertThat(states(ends)).as("ended, and kept as GONE while its FIN_WAIT2 peer is judged").doesNotContain(TcpState.LAST_ACK)
                .contains(TcpState.GONE);
        FinWait2Anomaly update = only(after, "node-a", AnomalyKind.UPDATED);
        assertThat(update.getVerdict()).as("it rests on the FIN the peer sent, which stays true").isEqualTo(Verdict.FIN_LOST);
        assertThat(update.getPeer().getState()).isEqualTo(TcpState.GONE);
        KeyValueStore<String, PairFact> peers = det.keyValueStore(StoreNames.PEERS);
        try (KeyValueIterator<String, PairFact> it = peers.all()) {
            PairFact fact = it.next().value;
            assertThat(fact.getPeer().getState()).isEqualTo(TcpState.GONE);
            assertThat(fact.getPeerSentFin()).isTrue();
            assertThat(fact.getPeer().getPid()).isEqualTo(5150);
        }
    }

    private static List<TcpState> states(KeyValueStore<String, PairingEnd> ends) {
        List<TcpState> out = new ArrayList<>();
        try (KeyValueIterator<String, PairingEnd> it = ends.all()) {
            it.forEachRemaining(e -> out.add(e.value.getState()));
        }
        return out;
    }

    @Test
    void peerGoneWhenItsSocketWentWithoutAFin() {
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 201L));
        liveFor(Duration.ofSeconds(3));
        det.send(client.to(TcpState.GONE, det.wallClock()));

        FinWait2Anomaly fw2 = only(liveFor(Duration.ofSeconds(60)), "node-a", AnomalyKind.STUCK);

        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_GONE);
        assertThat(fw2.getPeer().getHost()).isEqualTo("node-b");
        assertThat(fw2.getEvidence()).contains("without ever sending a FIN");
    }

    @Test
    void peerGoneWhenItsCollectorRestartedAndItsFirstTableNoLongerHadTheSocket() {
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 201L));
        List<FinWait2Anomaly> before = liveFor(Duration.ofSeconds(62));
        assertThat(only(before, "node-a", AnomalyKind.STUCK).getVerdict()).isEqualTo(Verdict.PEER_NEVER_CLOSED);

        // node-b's collector restarts. The client's socket went while it was down, so no GONE of it is ever sent:
        // the new run's first table (here, from its heartbeat's seq on) simply lacks it.
        det.advance(Duration.ofSeconds(1));
        io.finwatch.schemas.CollectorHeartbeat restarted = b.heartbeat(det.wallClock());
        restarted.setFullTableFromSeq(restarted.getSeq());
        det.send(restarted);
        List<FinWait2Anomaly> after = liveFor(Duration.ofSeconds(5));

        assertThat(only(after, "node-b", AnomalyKind.RESOLVED).getState()).isEqualTo(TcpState.CLOSE_WAIT);
        FinWait2Anomaly updated = only(after, "node-a", AnomalyKind.UPDATED);
        assertThat(updated.getVerdict()).isEqualTo(Verdict.PEER_GONE);
        assertThat(updated.getPeer().getHost()).isEqualTo("node-b");
        assertThat(updated.getPeer().getState()).isEqualTo(TcpState.GONE);
        assertThat(updated.getPeer().getPid()).as("the peer is still named by the process that held it").isEqualTo(5150);
    }

    @Test
    void peerGoneWhenItsMonitoredHostReadItsTableWithoutTheSocket() {
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));

        FinWait2Anomaly fw2 = only(liveFor(Duration.ofSeconds(62)), "node-a", AnomalyKind.STUCK);

        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_GONE);
        assertThat(fw2.getPeer()).isNull();
        assertThat(fw2.getEvidence()).contains("node-b").contains("10.217.0.1");
    }

    @Test
    void whereCommitsAreRareAPeerGoneFromTheDirectoryWaitsUntilThePairingPathCouldHaveBroughtThePeer() {
        // local commits every 10 s: a fact takes up to two commits to come back from the pairing task, while the
        // directory takes one. At 30 s the allowance is 61 s, past this end's STUCK at 60 s.
        det.close();
        det = new DetectorHarness(StreamsSettings.defaults(), stateDir.resolve("rare"), T0, StreamsConfig.EXACTLY_ONCE_V2,
                java.util.Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 30_000,
                        StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTION_TIMEOUT_CONFIG), 60_000));
        heartbeats();
        Instant entered = det.wallClock();
        det.send(server.to(TcpState.FIN_WAIT2, entered));

        FinWait2Anomaly stuck = only(liveFor(Duration.ofSeconds(61)), "node-a", AnomalyKind.STUCK);
        assertThat(stuck.getVerdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(stuck.getEvidence()).contains("may still be on its way through pairing");

        FinWait2Anomaly updated = only(liveFor(Duration.ofSeconds(10)), "node-a", AnomalyKind.UPDATED);
        assertThat(updated.getVerdict()).isEqualTo(Verdict.PEER_GONE);
        assertThat(updated.getDetectedAt()).isAfterOrEqualTo(entered.plusSeconds(1 + 61));
        assertThat(updated.getEvidence()).contains("node-b").contains("10.217.0.1");
    }

    @Test
    void peerUnmonitoredWhenNoHostHasItsAddress() {
        End toTheInternet = a.end("10.217.0.2", 8080, "192.0.2.7", 40000, 4711, "server");
        det.send(toTheInternet.to(TcpState.FIN_WAIT2, det.wallClock()));

        FinWait2Anomaly fw2 = only(liveFor(Duration.ofSeconds(62)), "node-a", AnomalyKind.STUCK);

        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_UNMONITORED);
        assertThat(fw2.getEvidence()).contains("192.0.2.7");
    }

    @Test
    void undeterminedWhileThePeersHostIsNotHeardThenUpdatedWhenItsCollectorReportsThePeer() {
        live.remove(b);
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));

        FinWait2Anomaly stuck = only(liveFor(Duration.ofSeconds(62)), "node-a", AnomalyKind.STUCK);
        assertThat(stuck.getVerdict()).isEqualTo(Verdict.UNDETERMINED);
        assertThat(stuck.getPeer()).isNull();

        // node-b's collector comes back; its first poll reports the client in CLOSE_WAIT since the beginning.
        live.add(b);
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(10));

        FinWait2Anomaly updated = only(out, "node-a", AnomalyKind.UPDATED);
        assertThat(updated.getVerdict()).isEqualTo(Verdict.PEER_NEVER_CLOSED);
        assertThat(updated.getPeer().getPid()).isEqualTo(5150);
        assertThat(updated.getEnteredAt()).isEqualTo(stuck.getEnteredAt());
        assertThat(updated.getAnomalyId()).isNotEqualTo(stuck.getAnomalyId());
        assertThat(updated.getEvidence()).contains("has not read the end of the stream");
    }

    @Test
    void closeWaitPastTheThresholdIsStuckThenResolvedWhenItsProcessCloses() {
        End alone = b.end("10.217.0.1", 56491, "192.0.2.9", 443, 5150, "client");
        det.send(alone.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        assertThat(det.<String, io.finwatch.streams.detect.OpenCounts>keyValueStore(io.finwatch.streams.state.StoreNames.OPEN_CLOSE_WAIT)
                .get("node-b").attached()).isEqualTo(1);
        assertThat(det.<String, io.finwatch.streams.detect.OpenCounts>keyValueStore(io.finwatch.streams.state.StoreNames.OPEN_FIN_WAIT2_HOSTS)
                .get("node-b")).isNull();
        assertThat(liveFor(Duration.ofSeconds(58))).isEmpty();

        FinWait2Anomaly stuck = only(liveFor(Duration.ofSeconds(3)), "node-b", AnomalyKind.STUCK);
        assertThat(stuck.getReason()).isEqualTo(AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD);
        assertThat(stuck.getVerdict()).isEqualTo(Verdict.LOCAL_NEVER_CLOSED);
        assertThat(stuck.getPid()).isEqualTo(5150);
        assertThat(stuck.getRecvQ()).isEqualTo(1L);
        assertThat(stuck.getPeer()).isNull();

        det.send(alone.to(TcpState.LAST_ACK, det.wallClock(), 1L));
        FinWait2Anomaly resolved = only(det.anomalies(), "node-b", AnomalyKind.RESOLVED);
        assertThat(resolved.getReason()).isEqualTo(AnomalyReason.LEFT_CLOSE_WAIT);
        assertThat(resolved.getState()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(resolved.getToState()).isEqualTo(TcpState.LAST_ACK);
        assertThat(resolved.getDwellMs()).isBetween(60_000L, 62_000L);
        assertThat(det.<String, io.finwatch.streams.detect.OpenCounts>keyValueStore(io.finwatch.streams.state.StoreNames.OPEN_CLOSE_WAIT)
                .get("node-b")).isNull();
    }

    @Test
    void closeWaitThresholdIsASetting() {
        det.close();
        det = new DetectorHarness(StreamsSettings.builder().closeWaitThreshold(Duration.ofSeconds(5)).build(), stateDir.resolve("b"), T0);
        heartbeats();
        End alone = b.end("10.217.0.1", 56491, "192.0.2.9", 443, 5150, "client");
        det.send(alone.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        FinWait2Anomaly stuck = only(liveFor(Duration.ofSeconds(7)), "node-b", AnomalyKind.STUCK);
        assertThat(stuck.getDeadline()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void pairsThroughDnatInTheClientsNodeAndTellsTheClientNothingOfTheServiceIp() {
        End viaVip = b.end("10.217.0.1", 56492, "10.217.99.10", 80, 5150, "client")
                .nat(ConntrackScope.HOST_NAMESPACE, "10.217.0.1:56492", "10.217.99.10:80", "10.217.0.2:8080", "10.217.0.1:56492");
        End backend = a.end("10.217.0.2", 8080, "10.217.0.1", 56492, 4711, "server");
        det.send(backend.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(viaVip.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));

        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(62));

        FinWait2Anomaly fw2 = only(out, "node-a", AnomalyKind.STUCK);
        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_NEVER_CLOSED);
        assertThat(fw2.getPeer().getRemoteIp()).isEqualTo("10.217.99.10");
        FinWait2Anomaly cw = only(out, "node-b", AnomalyKind.STUCK);
        assertThat(cw.getPeer().getHost()).isEqualTo("node-a");
        assertThat(cw.getConntrack()).hasSize(1);
    }

    @Test
    void loopbackEndsPairOnlyWithinTheirNamespace() {
        End srv = a.end("127.0.0.1", 8080, "127.0.0.1", 40000, 4711, "server");
        End cli = a.end("127.0.0.1", 40000, "127.0.0.1", 8080, 4712, "client");
        End lookalike = b.end("127.0.0.1", 40000, "127.0.0.1", 8080, 5150, "client");
        det.send(srv.to(TcpState.FIN_WAIT2, det.wallClock()));
        det.send(lookalike.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        det.send(cli.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));

        List<FinWait2Anomaly> out = liveFor(Duration.ofSeconds(62));

        FinWait2Anomaly fw2 = only(out.stream().filter(x -> x.getState() == TcpState.FIN_WAIT2).toList(), "node-a", AnomalyKind.STUCK);
        assertThat(fw2.getPeer().getPid()).isEqualTo(4712);
        FinWait2Anomaly cw = only(out.stream().filter(x -> x.getState() == TcpState.CLOSE_WAIT).toList(), "node-a", AnomalyKind.STUCK);
        assertThat(cw.getPeer().getPid()).isEqualTo(4711);
        FinWait2Anomaly other = out.stream().filter(x -> x.getHost().equals("node-b")).findFirst().orElseThrow();
        assertThat(other.getPeer()).isNull();
    }

    @Test
    void pairingStateSurvivesARestart() {
        det.close();
        Path dir = stateDir.resolve("restart");
        det = new DetectorHarness(StreamsSettings.defaults(), dir, T0, StreamsConfig.AT_LEAST_ONCE);
        heartbeats();
        det.send(server.to(TcpState.FIN_WAIT2, det.wallClock()));
        liveFor(Duration.ofSeconds(2));
        det.crashAfterCommit();

        det = new DetectorHarness(StreamsSettings.defaults(), dir, T0.plusSeconds(3), StreamsConfig.AT_LEAST_ONCE);
        heartbeats();
        det.send(client.to(TcpState.CLOSE_WAIT, det.wallClock(), 1L));
        FinWait2Anomaly fw2 = only(liveFor(Duration.ofSeconds(60)), "node-a", AnomalyKind.STUCK);

        assertThat(fw2.getVerdict()).isEqualTo(Verdict.PEER_NEVER_CLOSED);
        assertThat(fw2.getPeer().getPid()).isEqualTo(5150);
    }
}
