package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PollResult;
import io.finwatch.collector.track.SocketChange;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.testkit.net.NetBed;
import io.finwatch.testkit.net.Netns;
import io.finwatch.testkit.net.Peer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Conntrack lookups against real connection tracking: a client namespace reaches a server through a router
 * namespace that DNATs a virtual IP to it, as kube-proxy does, and the collector watches client and server with the
 * router as its host namespace ({@code --netns client,server --host-netns router}). The entry each closing socket
 * carries must be the one {@code conntrack -G} shows in the router for the client's ORIG tuple.
 */
class ConntrackLookupTest {
    private static final String VIP = "10.217.99.10";
    private static final Pattern QUAD = Pattern.compile("src=(\\S+) dst=(\\S+) sport=(\\d+) dport=(\\d+)");

    private NetBed bed;
    private HostReader reader;

    @BeforeEach
    void bed() {
        bed = NetBed.create();
    }

    @AfterEach
    void cleanup() {
        if (reader != null) {
            reader.close();
        }
        bed.close();
    }

    /** What one collector saw over its polls. */
    private static final class Seen {
        final List<SocketTransition> transitions = new ArrayList<>();
        CollectorHeartbeat heartbeat;
        PollResult last;
    }

    private Seen seen;
    private HostState state;
    private final EventFactory events = new EventFactory("bed-host", "bed-collector");

    private void watch(List<String> netns, String hostNetns) {
        reader = HostReader.open(Procfs.system(), SocketSource.Kind.NETLINK, NetnsSelection.of(netns, hostNetns));
        state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), reader.finTimeouts(), null,
                reader.conntrack(), reader.addresses());
        seen = new Seen();
    }

    private void poll() throws IOException {
        PollResult poll = state.apply(reader.read(state.nextRead()));
        for (SocketChange change : poll.changes()) {
            seen.transitions.add(events.transition(change, poll, seen.transitions.size()));
        }
        seen.heartbeat = events.heartbeat(poll, 0, new EventFactory.HeartbeatCounters(Instant.EPOCH, "test", 1000, 0,
                0, 0, List.of(), 0, null));
        seen.last = poll;
    }

    private SocketTransition awaitTransition(String what, java.util.function.Predicate<SocketTransition> which) {
        return await(what).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            poll();
            return seen.transitions.stream().filter(which).reduce((a, b) -> b).orElse(null);
        }, t -> t != null);
    }

    @Test
    void closingSocketsCarryTheRoutersDnatEntryAsConntrackReportsItEvenAfterItExpired() throws Exception {
        NetBed.Dnat nat = bed.dnat("client", "router", "server", "10.217", VIP);
        Netns client = nat.client();
        Netns router = nat.router();
        Netns server = nat.server();
        // The entry of the FIN_WAIT2 / CLOSE_WAIT pair then expires while both sockets live on.
        router.sysctl("net.netfilter.nf_conntrack_tcp_timeout_close_wait", "4");
        client.orphanRetries(3);
        watch(List.of(client.name(), server.name()), router.name());

        Peer s = Peer.server(server, "10.217.2.2", 8080);
        Peer c = Peer.client(client, VIP, 80);
        s.accepted();
        s.shutdownOutput();
        int port = c.localPort();

        SocketTransition closeWait = awaitTransition("the client in CLOSE_WAIT",
                t -> t.getToState() == TcpState.CLOSE_WAIT && t.getLocalPort() == port);
        SocketTransition finWait2 = awaitTransition("the server in FIN_WAIT2",
                t -> t.getToState() == TcpState.FIN_WAIT2 && t.getRemotePort() == port);
        String shown = router.conntrackGet("10.217.1.2", port, VIP, 80);
        assertThat(shown).as("conntrack -G in the router").isNotNull();
        io.finwatch.schemas.ConntrackEntry expected = fromConntrackTool(shown, ConntrackScope.HOST_NAMESPACE);

        // A Java client's socket is ::ffff:-mapped; its entry is IPv4, found after unmapping.
        assertThat(closeWait.getLocalIp()).isEqualTo("::ffff:10.217.1.2");
        assertThat(closeWait.getConntrack()).containsExactly(expected);
        assertThat(expected.getTranslated()).isTrue();
        assertThat(expected.getReplySrcIp()).isEqualTo("10.217.2.2");
        // The server's own view (10.217.2.2:8080 -> 10.217.1.2:port) finds the same entry, through its reply tuple.
        assertThat(finWait2.getConntrack()).containsExactly(expected);

        // The heartbeat names each namespace's own address, loopback and link-local left out.
        assertThat(addressesOf(client)).containsExactly("10.217.1.2");
        assertThat(addressesOf(server)).containsExactly("10.217.2.2");

        // Held for the episode: after the router's entry is gone, the client's next transition still carries it.
        await("the router's entry expires").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> router.conntrackGet("10.217.1.2", port, VIP, 80) == null);
        long lookupsBefore = seen.last.conntrack().stats().lookups();
        c.close();
        SocketTransition lastAck = awaitTransition("the client in LAST_ACK",
                t -> t.getToState() == TcpState.LAST_ACK && t.getLocalPort() == port);
        assertThat(lastAck.getConntrack()).containsExactly(expected);
        assertThat(seen.last.conntrack().stats().lookups()).isEqualTo(lookupsBefore);
        assertThat(seen.last.conntrack().stats().translated()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void withoutNatTheLookupFindsNothingAndSaysSo() throws Exception {
        Netns a = bed.namespace("a");
        Netns b = bed.namespace("b");
        bed.link(a, "10.217.0.1/24", b, "10.217.0.2/24");
        watch(List.of(a.name()), null);

        Peer s = Peer.server(b, "10.217.0.2", 8080);
        Peer c = Peer.client(a, "10.217.0.2", 8080, true);
        s.accepted();
        s.shutdownOutput();
        int port = c.localPort();
        SocketTransition closeWait = awaitTransition("the client in CLOSE_WAIT",
                t -> t.getToState() == TcpState.CLOSE_WAIT && t.getLocalPort() == port);

        assertThat(closeWait.getLocalIp()).isEqualTo("10.217.0.1");
        assertThat(closeWait.getConntrack()).isNotNull().isEmpty();
        assertThat(seen.last.conntrack().stats().lookups()).isEqualTo(2);
        assertThat(seen.last.conntrack().stats().found()).isZero();
        // An ESTABLISHED socket is never looked up: null, not empty.
        assertThat(seen.transitions).filteredOn(t -> t.getToState() == TcpState.ESTABLISHED)
                .allSatisfy(t -> assertThat(t.getConntrack()).isNull());
    }

    @Test
    void withoutCapNetAdminEachLookupIsRefusedCountedAndSaidOnce() throws Exception {
        Netns a = bed.namespace("a");
        Netns b = bed.namespace("b");
        bed.link(a, "10.217.0.1/24", b, "10.217.0.2/24");
        watch(List.of(a.name()), null);
        Peer s = Peer.server(b, "10.217.0.2", 8080);
        Peer c1 = Peer.client(a, "10.217.0.2", 8080, true);
        s.accepted();
        Peer s2 = Peer.server(b, "10.217.0.2", 8081);
        Peer c2 = Peer.client(a, "10.217.0.2", 8081, true);
        s2.accepted();
        s.shutdownOutput();
        s2.shutdownOutput();

        Logger logger = (Logger) LoggerFactory.getLogger(ConntrackReader.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            // Every capability the poll needs but CAP_NET_ADMIN: the netlink sockets are the netns thread's, the
            // GETs this thread's, and the kernel checks both.
            ThreadCaps.withOnly(() -> {
                await("both clients in CLOSE_WAIT").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            poll();
                            return seen.transitions.stream().filter(t -> t.getToState() == TcpState.CLOSE_WAIT)
                                    .count() >= 2;
                        });
                return null;
            }, 1, 2, ThreadCaps.CAP_SYS_PTRACE, 21);
        } finally {
            logger.detachAppender(lines);
        }
        assertThat(seen.transitions).filteredOn(t -> t.getToState() == TcpState.CLOSE_WAIT)
                .extracting(t -> t.getLocalPort()).containsExactlyInAnyOrder(c1.localPort(), c2.localPort());
        assertThat(seen.transitions).filteredOn(t -> t.getToState() == TcpState.CLOSE_WAIT)
                .allSatisfy(t -> assertThat(t.getConntrack()).as("no lookup was answered").isNull());
        assertThat(seen.last.conntrack().stats().denied()).as(seen.last.conntrack().stats().toString()).isEqualTo(4);
        assertThat(seen.last.conntrack().stats().errors()).isZero();
        assertThat(lines.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .singleElement().asString().contains("no CAP_NET_ADMIN");
    }

    private List<String> addressesOf(Netns ns) throws IOException {
        long inode = ns.inode();
        return seen.heartbeat.getNamespaces().stream().filter(n -> n.getNetns() == inode)
                .map(NamespaceInfo::getAddresses).findFirst().orElseThrow();
    }

    /** The entry as the conntrack tool prints it: the first quad is ORIG, the second REPLY. */
    private static io.finwatch.schemas.ConntrackEntry fromConntrackTool(String line, ConntrackScope scope) {
        Matcher m = QUAD.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        String[] orig = {m.group(1), m.group(2), m.group(3), m.group(4)};
        assertThat(m.find()).as(line).isTrue();
        String[] reply = {m.group(1), m.group(2), m.group(3), m.group(4)};
        boolean translated = !(orig[0].equals(reply[1]) && orig[1].equals(reply[0]) && orig[2].equals(reply[3])
                && orig[3].equals(reply[2]));
        return io.finwatch.schemas.ConntrackEntry.newBuilder().setScope(scope).setZone(0)
                .setOrigSrcIp(orig[0]).setOrigDstIp(orig[1])
                .setOrigSrcPort(Integer.parseInt(orig[2])).setOrigDstPort(Integer.parseInt(orig[3]))
                .setReplySrcIp(reply[0]).setReplyDstIp(reply[1])
                .setReplySrcPort(Integer.parseInt(reply[2])).setReplyDstPort(Integer.parseInt(reply[3]))
                .setTranslated(translated).build();
    }
}
