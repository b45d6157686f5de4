package io.finwatch.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.Verdict;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.testkit.EmbeddedKafka;
import io.finwatch.testkit.FreePort;
import io.finwatch.testkit.net.NetBed;
import io.finwatch.testkit.net.Netns;
import io.finwatch.testkit.net.Peer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.IsolationLevel;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both ends of a leak on two real "hosts": network namespaces the test makes (testkit {@link NetBed}), each watched by
 * its own {@code ./finwatch collect --netns <it> --host <name>}, one {@code ./finwatch streams} detector and a real
 * broker, as a fleet runs them. In each connection the server calls shutdown(SHUT_WR) and holds its socket
 * (FIN_WAIT2), and the client on the other host never closes (CLOSE_WAIT); then the client closes while a drop rule
 * eats its FIN, or its host vanishes. Through NAT, a router namespace DNATs a virtual IP to the server, as kube-proxy
 * does for a Service, and the two ends still pair.
 *
 * <p>How the collectors are configured, as on Kubernetes nodes: a host's collector watches its pods' namespaces and
 * takes the node's own namespace as the host's ({@code --host-netns}), since kube-proxy's NAT, hence the conntrack
 * entry, lives there. In the two-host bed each namespace is a whole host (its own host namespace); through NAT the
 * client's host namespace is the router, which NATs for it, and the server's host is its own namespace.
 *
 * <p>One broker, one detector and one bed serve every case; each case has its own connections, and the cases run in
 * order (peer-gone deletes the client's host). Anomalies are read from the anomalies topic with read_committed. The
 * diagnosis of an episode is its STUCK or its newest UPDATED: a STUCK decided before the peer's collector was heard
 * carries another verdict and is UPDATED once it is (the verdict contract, docs/reading-anomalies.md), so the cases
 * wait for the diagnosis; each prints its episodes' sequence. An episode has exactly one STUCK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BothEndsAcrossHostsTest {
    private static final String ANOMALIES = "finwatch.anomalies";
    private static final String TRANSITIONS = "finwatch.transitions";
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String HOST_A = "bed-client";
    private static final String HOST_B = "bed-server";
    private static final String A_IP = "10.217.0.1";
    private static final String B_IP = "10.217.0.2";
    private static final String VIP = "10.218.99.10";
    private static final Pattern QUAD = Pattern.compile("src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)");

    @TempDir
    static Path work;

    private final List<Launched> launched = new ArrayList<>();
    private EmbeddedKafka kafka;
    private NetBed bed;
    private ApiClient api;
    private Netns a;
    private Netns b;

    /** Two ends of one connection: the server shut its side and holds it, the client never closes. */
    private record Leak(Peer server, Peer client) {
    }

    @BeforeAll
    void start() throws Exception {
        Launched.requirePackaged("collector", "streams");
        requireTool("nft", "nftables");
        requireTool("conntrack", "conntrack");
        kafka = EmbeddedKafka.start();
        bed = NetBed.create();
        int http = FreePort.belowEphemeralRange();
        launch("streams", "streams", "--bootstrap-servers", kafka.bootstrapServers(), "--state-dir",
                work.resolve("state").toString(), "--application-id", "finwatch-both-ends", "--http", "127.0.0.1:" + http,
                "--partitions", "2", "--close-wait-threshold", "5s");
        StreamsKillRestartTest.awaitRunning(http);
        api = new ApiClient(http);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            for (Launched l : launched) {
                l.close();
            }
        } finally {
            if (bed != null) {
                bed.close();
            }
            if (kafka != null) {
                kafka.close();
            }
        }
    }

    @Test
    @Order(1)
    void theFinWait2EndNamesTheClientThatNeverClosedAndTheCloseWaitEndNamesTheServer() throws Exception {
        twoHosts();
        Leak leak = leak(b, B_IP, 8080, a, B_IP, 8080, 200);
        int clientPort = leak.client().localPort();

        List<FinWait2Anomaly> server = awaitDiagnosis(HOST_B, 8080, TcpState.FIN_WAIT2, Verdict.PEER_NEVER_CLOSED);
        FinWait2Anomaly stuck = theStuck(server);
        assertThat(stuck.getReason()).isEqualTo(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT);
        assertThat(stuck.getPid()).isEqualTo((int) leak.server().pid());
        assertThat(stuck.getRemotePort()).isEqualTo(clientPort);
        assertThat(stuck.getOrphaned()).isFalse();
        assertThat(stuck.getFinTimeoutS()).isEqualTo(3);
        PeerEnd peer = diagnosis(server).getPeer();
        assertThat(peer.getHost()).isEqualTo(HOST_A);
        assertThat(peer.getPid()).isEqualTo((int) leak.client().pid());
        assertThat(peer.getComm()).isEqualTo("java");
        assertThat(peer.getState()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(unmap(peer.getLocalIp())).isEqualTo(A_IP);
        assertThat(peer.getLocalPort()).isEqualTo(clientPort);
        assertThat(peer.getNetns()).isEqualTo(a.inode());
        assertThat(peer.getRecvQ()).as("the server's 200 bytes, and its FIN counted as one").isEqualTo(201L);
        assertThat(diagnosis(server).getEvidence()).contains("pid " + leak.client().pid()).contains("200 bytes unread");

        List<FinWait2Anomaly> client = awaitDiagnosis(HOST_A, clientPort, TcpState.CLOSE_WAIT, Verdict.LOCAL_NEVER_CLOSED);
        FinWait2Anomaly cw = theStuck(client);
        assertThat(cw.getReason()).isEqualTo(AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD);
        assertThat(cw.getPid()).isEqualTo((int) leak.client().pid());
        assertThat(cw.getRecvQ()).isEqualTo(201L);
        PeerEnd serverEnd = diagnosis(client).getPeer();
        assertThat(serverEnd).as("the CLOSE_WAIT end names the server").isNotNull();
        assertThat(serverEnd.getHost()).isEqualTo(HOST_B);
        assertThat(serverEnd.getPid()).isEqualTo((int) leak.server().pid());
        assertThat(serverEnd.getLocalPort()).isEqualTo(8080);
        assertThat(serverEnd.getState()).isEqualTo(TcpState.FIN_WAIT2);

        // The API's paired view shows both ends from either host.
        JsonNode fromServer = awaitPair(HOST_B, 8080, p -> p.path("peer").path("pid").asLong() == leak.client().pid());
        assertThat(fromServer.path("verdict").asText()).isEqualTo("PEER_NEVER_CLOSED");
        assertThat(fromServer.path("peer").path("host").asText()).isEqualTo(HOST_A);
        assertThat(fromServer.path("peer").path("state").asText()).isEqualTo("CLOSE_WAIT");
        JsonNode fromClient = awaitPair(HOST_A, clientPort, p -> p.path("peer").path("pid").asLong() == leak.server().pid());
        assertThat(fromClient.path("verdict").asText()).isEqualTo("LOCAL_NEVER_CLOSED");
        assertThat(fromClient.path("pair_key").asText()).isEqualTo(fromServer.path("pair_key").asText());
        // And among the client host's open CLOSE_WAIT sockets, stuck, with its verdict.
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
            Optional<JsonNode> open = api.json("/api/hosts/" + HOST_A + "/closewait");
            if (open.isEmpty()) {
                return false;
            }
            for (JsonNode s : open.get()) {
                if (s.path("local_port").asInt() == clientPort) {
                    return s.path("stuck").asBoolean() && s.path("verdict").asText().equals("LOCAL_NEVER_CLOSED")
                            && s.path("recv_q").asLong() == 201;
                }
            }
            return false;
        });
        assertNoDuplicateStuck();
    }

    @Test
    @Order(2)
    void aFinTheNetworkDropsIsFinLostAndStaysSoAfterThePeerGaveUp() throws Exception {
        twoHosts();
        Leak leak = leak(b, B_IP, 8081, a, B_IP, 8081);
        awaitDiagnosis(HOST_B, 8081, TcpState.FIN_WAIT2, Verdict.PEER_NEVER_CLOSED);

        // The network eats the client's FIN on its way in (FINDINGS §4b: the waiting end's input hook).
        b.dropFinsFrom(A_IP, "input");
        try {
            leak.client().close();
            List<FinWait2Anomaly> server = awaitDiagnosis(HOST_B, 8081, TcpState.FIN_WAIT2, Verdict.FIN_LOST);
            theStuck(server);
            FinWait2Anomaly updated = diagnosis(server);
            assertThat(updated.getKind()).isEqualTo(AnomalyKind.UPDATED);
            assertThat(updated.getPeer().getPid()).isEqualTo((int) leak.client().pid());
            assertThat(updated.getPeer().getHost()).isEqualTo(HOST_A);

            // With three orphan retries the client's LAST_ACK gives up in seconds and leaves its table; the FIN was
            // still lost, so the verdict stays.
            JsonNode pair = awaitPair(HOST_B, 8081, p -> p.path("peer").path("state").asText().equals("GONE"));
            assertThat(pair.path("verdict").asText()).isEqualTo("FIN_LOST");
            assertThat(diagnosis(episode(HOST_B, 8081, TcpState.FIN_WAIT2)).getVerdict()).isEqualTo(Verdict.FIN_LOST);
        } finally {
            b.stopDroppingFins("input");
        }
        assertNoDuplicateStuck();
    }

    @Test
    @Order(3)
    void aPeerWhoseHostVanishedIsPeerGone() throws Exception {
        twoHosts();
        Leak leak = leak(b, B_IP, 8082, a, B_IP, 8082);
        awaitDiagnosis(HOST_B, 8082, TcpState.FIN_WAIT2, Verdict.PEER_NEVER_CLOSED);

        // The client's host goes: its link down first, so nothing it sends on the way out reaches the server.
        a.linkDown("to-" + b.role());
        bed.delete(a);
        List<FinWait2Anomaly> server = awaitDiagnosis(HOST_B, 8082, TcpState.FIN_WAIT2, Verdict.PEER_GONE);
        FinWait2Anomaly updated = diagnosis(server);
        assertThat(updated.getKind()).isEqualTo(AnomalyKind.UPDATED);
        assertThat(updated.getPeer().getHost()).isEqualTo(HOST_A);
        assertThat(updated.getPeer().getPid()).isEqualTo((int) leak.client().pid());
        assertThat(updated.getPeer().getState()).isEqualTo(TcpState.GONE);
        assertNoDuplicateStuck();
    }

    @Test
    @Order(4)
    void throughTheRoutersDnatTheTwoEndsStillPairAndTheClientCarriesTheConntrackEntry() throws Exception {
        NetBed.Dnat nat = bed.dnat("natc", "natr", "nats", "10.218", VIP);
        Netns client = nat.client();
        Netns router = nat.router();
        Netns server = nat.server();
        client.finTimeout(3);
        server.finTimeout(3);
        collect("nat-client", client, router);
        collect("nat-server", server, server);
        awaitHeard("nat-client", "nat-server");

        Leak leak = leak(server, "10.218.2.2", 8080, client, VIP, 80);
        int clientPort = leak.client().localPort();
        List<FinWait2Anomaly> serverEnd = awaitDiagnosis("nat-server", 8080, TcpState.FIN_WAIT2, Verdict.PEER_NEVER_CLOSED);
        assertThat(unmap(theStuck(serverEnd).getRemoteIp())).as("the server sees the client itself").isEqualTo("10.218.1.2");
        PeerEnd peer = diagnosis(serverEnd).getPeer();
        assertThat(peer.getHost()).isEqualTo("nat-client");
        assertThat(peer.getPid()).isEqualTo((int) leak.client().pid());
        assertThat(peer.getLocalPort()).isEqualTo(clientPort);
        assertThat(unmap(peer.getRemoteIp())).as("the client dialled the virtual IP").isEqualTo(VIP);

        List<FinWait2Anomaly> clientEnd = awaitDiagnosis("nat-client", clientPort, TcpState.CLOSE_WAIT, Verdict.LOCAL_NEVER_CLOSED);
        FinWait2Anomaly cw = diagnosis(clientEnd);
        assertThat(cw.getPeer().getHost()).isEqualTo("nat-server");
        assertThat(cw.getPeer().getPid()).isEqualTo((int) leak.server().pid());
        assertThat(cw.getPeer().getLocalPort()).isEqualTo(8080);

        // The router's entry, found only because the client's collector takes the router as its host namespace.
        String shown = router.conntrackGet("10.218.1.2", clientPort, VIP, 80);
        assertThat(shown).as("conntrack -G in the router").isNotNull();
        ConntrackEntry expected = fromConntrackTool(shown);
        assertThat(expected.getTranslated()).isTrue();
        assertThat(expected.getReplySrcIp()).isEqualTo("10.218.2.2");
        assertThat(cw.getConntrack()).containsExactly(expected);
        SocketTransition enteredCloseWait = kafka.readAll(IsolationLevel.READ_UNCOMMITTED, TRANSITIONS).stream()
                .map(r -> FinwatchSerde.shared().decodeAny(r.value()))
                .flatMap(e -> e instanceof SocketTransition t ? Stream.of(t) : Stream.empty())
                .filter(t -> t.getHost().equals("nat-client") && t.getLocalPort() == clientPort
                        && t.getToState() == TcpState.CLOSE_WAIT)
                .findFirst().orElseThrow();
        assertThat(enteredCloseWait.getConntrack()).containsExactly(expected);

        JsonNode pair = awaitPair("nat-server", 8080, p -> p.path("peer").path("pid").asLong() == leak.client().pid());
        assertThat(pair.path("verdict").asText()).isEqualTo("PEER_NEVER_CLOSED");
        assertNoDuplicateStuck();
    }

    /** The two-host bed and its collectors, made by the first case that needs them. */
    private void twoHosts() throws IOException {
        if (a != null) {
            return;
        }
        a = bed.namespace("a");
        b = bed.namespace("b");
        bed.link(a, A_IP + "/24", b, B_IP + "/24");
        a.finTimeout(3);
        b.finTimeout(3);
        // The client's LAST_ACK gives up in about 7 s instead of 107 s (FINDINGS §4b).
        a.orphanRetries(3);
        collect(HOST_A, a, a);
        collect(HOST_B, b, b);
        awaitHeard(HOST_A, HOST_B);
    }

    private void collect(String host, Netns watched, Netns hostNetns) throws IOException {
        launch("collect-" + host, "collect", "--bootstrap-servers", kafka.bootstrapServers(), "--buffer-dir",
                work.resolve("buffer-" + host).toString(), "--interval", "1s", "--host", host, "--netns", watched.name(),
                "--host-netns", hostNetns.name(), "--metrics", "127.0.0.1:" + FreePort.belowEphemeralRange());
    }

    /** Waits until every host's collector has a heartbeat on the broker, so the cases time the detector, not JVM starts. */
    private void awaitHeard(String... hosts) throws IOException {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> kafka.readAll(IsolationLevel.READ_UNCOMMITTED, TRANSITIONS)
                    .stream().map(r -> FinwatchSerde.shared().decodeAny(r.value())).filter(CollectorHeartbeat.class::isInstance)
                    .map(hb -> ((CollectorHeartbeat) hb).getHost()).collect(Collectors.toSet()).containsAll(List.of(hosts)));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no heartbeat of each of " + List.of(hosts) + " within " + WAIT + diagnostics(), e);
        }
    }

    private static Leak leak(Netns serverNs, String bind, int port, Netns clientNs, String dial, int dialPort)
            throws IOException {
        return leak(serverNs, bind, port, clientNs, dial, dialPort, 0);
    }

    /** The server writes {@code unread} bytes before its FIN, which the client never reads. */
    private static Leak leak(Netns serverNs, String bind, int port, Netns clientNs, String dial, int dialPort, int unread)
            throws IOException {
        Peer server = Peer.server(serverNs, bind, port);
        Peer client = Peer.client(clientNs, dial, dialPort);
        server.accepted();
        if (unread > 0) {
            server.write(unread);
        }
        server.shutdownOutput();
        return new Leak(server, client);
    }

    private void launch(String name, String... args) throws IOException {
        launched.add(Launched.start(name, Map.of("JAVA_OPTS", "-Xmx384m"), args));
    }

    private List<FinWait2Anomaly> anomalies() {
        return kafka.readAll(IsolationLevel.READ_COMMITTED, ANOMALIES).stream()
                .map(r -> FinwatchSerde.shared().decode(r.value(), FinWait2Anomaly.class)).toList();
    }

    /** The STUCK and UPDATED anomalies of the episode of {@code host}'s socket on {@code localPort} in {@code state}, in order. */
    private List<FinWait2Anomaly> episode(String host, int localPort, TcpState state) {
        return anomalies().stream()
                .filter(x -> x.getKind() == AnomalyKind.STUCK || x.getKind() == AnomalyKind.UPDATED)
                .filter(x -> host.equals(x.getHost()) && x.getLocalPort() != null && x.getLocalPort() == localPort
                        && x.getState() == state)
                .toList();
    }

    private static FinWait2Anomaly diagnosis(List<FinWait2Anomaly> episode) {
        return episode.isEmpty() ? null : episode.get(episode.size() - 1);
    }

    private static FinWait2Anomaly theStuck(List<FinWait2Anomaly> episode) {
        List<FinWait2Anomaly> stuck = episode.stream().filter(x -> x.getKind() == AnomalyKind.STUCK).toList();
        assertThat(stuck).as("one STUCK for the episode").hasSize(1);
        return stuck.get(0);
    }

    private List<FinWait2Anomaly> awaitDiagnosis(String host, int localPort, TcpState state, Verdict verdict) throws IOException {
        try {
            List<FinWait2Anomaly> e = await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> episode(host, localPort, state),
                    x -> !x.isEmpty() && diagnosis(x).getVerdict() == verdict);
            System.out.println(host + " port " + localPort + " " + state + ": " + e.stream()
                    .map(x -> x.getKind() + "(" + x.getVerdict() + ", dwell " + x.getDwellMs() + " ms)").collect(Collectors.joining(" ")));
            return e;
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no " + verdict + " for " + host + " port " + localPort + " " + state + " within " + WAIT
                    + "; its anomalies: " + episode(host, localPort, state) + diagnostics(), e);
        }
    }

    /** The element of the host's /pairs whose own end is on {@code localPort}, once it satisfies {@code ready}. */
    private JsonNode awaitPair(String host, int localPort, Predicate<JsonNode> ready) throws IOException {
        try {
            return await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> {
                Optional<JsonNode> pairs = api.json("/api/hosts/" + host + "/pairs");
                if (pairs.isEmpty()) {
                    return null;
                }
                for (JsonNode p : pairs.get()) {
                    if (p.path("end").path("local_port").asInt() == localPort && ready.test(p)) {
                        return p;
                    }
                }
                return null;
            }, p -> p != null);
        } catch (ConditionTimeoutException e) {
            String now;
            try {
                now = api.json("/api/hosts/" + host + "/pairs").map(JsonNode::toString).orElse("(503)");
            } catch (IOException | InterruptedException failed) {
                now = failed.toString();
            }
            throw new AssertionError("/api/hosts/" + host + "/pairs never had the expected pair for port " + localPort
                    + "; now: " + now + diagnostics(), e);
        }
    }

    /** Exactly once: no episode (host, namespace, 4-tuple, state, entry time) has two STUCKs. */
    private void assertNoDuplicateStuck() {
        Map<String, Long> perEpisode = anomalies().stream().filter(x -> x.getKind() == AnomalyKind.STUCK)
                .collect(Collectors.groupingBy(x -> x.getHost() + "|" + x.getNetns() + "|" + x.getLocalIp() + ":" + x.getLocalPort()
                        + "|" + x.getRemoteIp() + ":" + x.getRemotePort() + "|" + x.getState() + "|" + x.getEnteredAt(),
                        HashMap::new, Collectors.counting()));
        assertThat(perEpisode).as("STUCK anomalies per episode").allSatisfy((episode, n) -> assertThat(n).as(episode).isEqualTo(1));
    }

    private String diagnostics() throws IOException {
        StringBuilder b = new StringBuilder();
        for (Launched l : launched) {
            String err = l.stderr();
            b.append("\n--- ").append(l.pid()).append(l.isAlive() ? " (running)" : " (exited)").append(", last of its log:\n")
                    .append(err.substring(Math.max(0, err.length() - 2000)));
        }
        return b.toString();
    }

    private static ConntrackEntry fromConntrackTool(String line) {
        Matcher m = QUAD.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        String[] orig = {m.group(1), m.group(2), m.group(3), m.group(4)};
        assertThat(m.find()).as(line).isTrue();
        String[] reply = {m.group(1), m.group(2), m.group(3), m.group(4)};
        boolean translated = !(orig[0].equals(reply[1]) && orig[1].equals(reply[0]) && orig[2].equals(reply[3])
                && orig[3].equals(reply[2]));
        return ConntrackEntry.newBuilder().setScope(ConntrackScope.HOST_NAMESPACE).setZone(0)
                .setOrigSrcIp(orig[0]).setOrigDstIp(orig[1])
                .setOrigSrcPort(Integer.parseInt(orig[2])).setOrigDstPort(Integer.parseInt(orig[3]))
                .setReplySrcIp(reply[0]).setReplyDstIp(reply[1])
                .setReplySrcPort(Integer.parseInt(reply[2])).setReplyDstPort(Integer.parseInt(reply[3]))
                .setTranslated(translated).build();
    }

    private static String unmap(String ip) {
        return ip != null && ip.startsWith("::ffff:") ? ip.substring(7) : ip;
    }

    /** A tool .ci/run installs: its absence fails the test (it must not skip silently). */
    private static void requireTool(String command, String debianPackage) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, command));
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            found |= Files.isExecutable(Path.of(dir, command));
        }
        assertThat(found).as(command + " is needed by the network test bed: install the Debian package " + debianPackage
                + " (.ci/run does)").isTrue();
    }
}
