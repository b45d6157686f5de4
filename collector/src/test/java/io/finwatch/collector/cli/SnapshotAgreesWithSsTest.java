package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.collector.repro.SocketScenario;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code finwatch snapshot --json} against {@code ss -tanpeo} run inside the same namespace, on real sockets:
 * listeners, established pairs, attached and orphaned FIN_WAIT2, CLOSE_WAIT and TIME_WAIT, in IPv4 and IPv6,
 * in a namespace whose tcp_fin_timeout differs from the host's; once read through netlink sock_diag, once through
 * the /proc files.
 */
class SnapshotAgreesWithSsTest {
    private static final int NS_FIN_TIMEOUT = 23;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SS_LINE = Pattern.compile(
            "^(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s*(.*)$");
    private static final Pattern SS_USER = Pattern.compile("\\(\"([^\"]*)\",pid=(\\d+),fd=\\d+\\)");
    private static final Pattern SS_TIMER = Pattern.compile("timer:\\((\\w+),");
    private static final Pattern SS_INODE = Pattern.compile("ino:(\\d+)");
    private static final Pattern SS_UID = Pattern.compile("uid:(\\d+)");
    /** ss -e prints this end's shutdown flags as arrows: what it still receives (left) and sends (right). */
    private static final Pattern SS_SHUTDOWN = Pattern.compile("(?:^|\\s)(<->|-->|<--|---)(?=\\s|$)");
    private static final Pattern SS_LASTACK = Pattern.compile("lastack:(\\d+)");
    /** One kernel tick at HZ 100 (the coarsest): the ages' resolution. */
    private static final long TICK_MS = 10;

    // Each test gets its own namespace: the orphans live only NS_FIN_TIMEOUT seconds, so ss and the snapshot must
    // both run within that of their creation.
    private String ns;
    private Process holder;
    private long netnsInode;

    @BeforeEach
    void createSocketsInAFreshNamespace() throws Exception {
        ns = "fwss-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_fin_timeout=" + NS_FIN_TIMEOUT);
        netnsInode = (Long) Files.getAttribute(Path.of("/run/netns", ns), "unix:ino");
        holder = new ProcessBuilder("ip", "netns", "exec", ns, javaBin(), "-cp", classpath(),
                SocketScenario.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            // socket descriptions; the comparison below is against ss, not against these
        }
        assertThat(line).as("scenario started").startsWith("READY");
        // The kernel finishes the closing handshakes asynchronously: wait until ss shows every state we made.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Map<String, Integer> states = new HashMap<>();
            ssView().sockets().values().forEach(s -> states.merge(s.state, 1, Integer::sum));
            return states.getOrDefault("FIN_WAIT2", 0) == 4 && states.getOrDefault("TIME_WAIT", 0) == 2
                    && states.getOrDefault("CLOSE_WAIT", 0) == 4 && states.getOrDefault("LISTEN", 0) == 2
                    && states.getOrDefault("ESTABLISHED", 0) == 4;
        });
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (holder != null) {
            holder.destroyForcibly().waitFor();
        }
        if (ns != null) {
            run("ip", "netns", "delete", ns);
        }
    }

    record Sock(String state, long inode, int uid, Integer pid, String comm, String timer, long recvQ, long sendQ,
                String shutdown, Long lastAckMs) {
    }

    /** ss's sockets and the wall-clock window in which it read them (its ages count from inside it). */
    record SsView(Map<String, Sock> sockets, long fromMs, long toMs) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"netlink", "procfs"})
    void everySocketOfTheNamespaceMatchesSs(String source) throws Exception {
        SsView view = ssView();
        Map<String, Sock> ss = view.sockets();
        Map<String, JsonNode> ours = new HashMap<>();
        for (JsonNode n : snapshot(source)) {
            if (n.get("netns").asLong() == netnsInode) {
                ours.put(endpoint(n, "local") + " " + endpoint(n, "remote"), n);
            }
        }
        assertThat(ours.keySet()).as("sockets in the namespace").containsExactlyInAnyOrderElementsOf(ss.keySet());
        for (Map.Entry<String, Sock> e : ss.entrySet()) {
            JsonNode n = ours.get(e.getKey());
            Sock s = e.getValue();
            String where = e.getKey() + " " + n;
            assertThat(n.get("state").asText()).as(where).isEqualTo(s.state);
            assertThat(n.get("inode").asLong()).as(where).isEqualTo(s.inode);
            assertThat(n.get("orphaned").asBoolean()).as(where).isEqualTo(s.inode == 0);
            assertThat(n.get("uid").asInt()).as(where).isEqualTo(s.uid);
            assertThat(n.get("timer").asText()).as(where).isEqualTo(s.timer);
            if (s.pid != null) {
                assertThat(n.get("pid").asInt()).as(where).isEqualTo(s.pid);
                assertThat(n.get("comm").asText()).as(where).isEqualTo(s.comm);
            } else {
                assertThat(n.get("pid").isNull()).as(where).isTrue();
            }
            assertThat(n.get("fin_timeout_s").asInt()).as(where).isEqualTo(NS_FIN_TIMEOUT);
            assertThat(n.get("fin_timeout_source").asText()).as(where).isEqualTo("NAMESPACE");
            assertThat(n.get("recv_q").asLong()).as(where).isEqualTo(s.recvQ);
            if (!s.state.equals("LISTEN")) {
                // ss shows a listener's backlog limit there; finwatch, like /proc, its empty send queue.
                assertThat(n.get("send_q").asLong()).as(where).isEqualTo(s.sendQ);
            }
            boolean reapTimer = s.inode == 0 && s.timer.equals("timewait");
            assertThat(n.get("reap_at_ms").isNull()).as(where).isEqualTo(!reapTimer);
            if (source.equals("procfs")) {
                assertThat(n.get("shutdown").isNull()).as(where).isTrue();
                assertThat(n.get("state_since_source").asText()).as(where).isEqualTo("OBSERVED");
                continue;
            }
            assertThat(n.get("shutdown").isNull() ? null : n.get("shutdown").asText()).as(where)
                    .isEqualTo(s.shutdown);
            if (n.get("state_since_source").asText().equals("KERNEL") && s.lastAckMs != null) {
                // Both count back from last_ack_recv: ss from its run, the snapshot from its own read.
                assertThat(n.get("state_since_ms").asLong()).as(where)
                        .isBetween(view.fromMs() - s.lastAckMs - TICK_MS, view.toMs() - s.lastAckMs + TICK_MS);
            }
        }
        if (source.equals("netlink")) {
            // A time-wait minisocket's timer always tells when it was made; the scenario's other ends shut down
            // within an RTO of connecting, which the rule leaves to the poll's time (docs/events.md).
            assertThat(ours.values().stream().filter(n -> n.get("state").asText().equals("TIME_WAIT")))
                    .isNotEmpty()
                    .allSatisfy(n -> assertThat(n.get("state_since_source").asText()).isEqualTo("KERNEL"));
            assertThat(ss.values().stream().filter(s -> s.state.equals("FIN_WAIT2") && s.inode != 0))
                    .allSatisfy(s -> assertThat(s.shutdown).isIn("WR", "RDWR"));
        }
        // Both kinds of FIN_WAIT2 are there, in both families: what finwatch exists to tell apart.
        assertThat(ss.values().stream().filter(s -> s.state.equals("FIN_WAIT2") && s.inode == 0)).hasSize(2);
        assertThat(ss.values().stream().filter(s -> s.state.equals("FIN_WAIT2") && s.inode != 0)).hasSize(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"netlink", "procfs"})
    void theHostNamespaceReportsTheHostsOwnFinTimeout(String source) throws Exception {
        int host = Integer.parseInt(run("sysctl", "-n", "net.ipv4.tcp_fin_timeout").trim());
        assertThat(host).as("test needs a host value unlike the namespace's").isNotEqualTo(NS_FIN_TIMEOUT);
        long hostNetns = (Long) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        List<JsonNode> hostRows = snapshot(source).stream().filter(n -> n.get("netns").asLong() == hostNetns).toList();
        assertThat(hostRows).isNotEmpty();
        assertThat(hostRows).allSatisfy(n -> assertThat(n.get("fin_timeout_s").asInt()).isEqualTo(host));
    }

    private static List<JsonNode> snapshot(String source) throws Exception {
        Process p = new ProcessBuilder(javaBin(), "-cp", classpath(), CollectorMain.class.getName(), "snapshot", "--json",
                "--source", source)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                rows.add(JSON.readTree(line));
            }
        }
        assertThat(p.waitFor()).as("snapshot exit status").isZero();
        return rows;
    }

    private static String endpoint(JsonNode n, String side) {
        String ip = n.get(side + "_ip").asText();
        return (n.get("family").asInt() == 6 ? "[" + ip + "]" : ip) + ":" + n.get(side + "_port").asInt();
    }

    /** ss's view of the namespace, keyed like {@link #endpoint}; one line per socket with its tcp_info. */
    private SsView ssView() throws Exception {
        Map<String, Sock> out = new HashMap<>();
        long from = System.currentTimeMillis();
        String lines = run("ip", "netns", "exec", ns, "ss", "-tanpeoiOH");
        long to = System.currentTimeMillis();
        for (String line : lines.split("\n")) {
            Matcher m = SS_LINE.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            String rest = m.group(6);
            Matcher arrows = SS_SHUTDOWN.matcher(rest);
            Matcher lastAck = SS_LASTACK.matcher(rest);
            Matcher user = SS_USER.matcher(rest);
            Matcher timer = SS_TIMER.matcher(rest);
            Matcher ino = SS_INODE.matcher(rest);
            Matcher uid = SS_UID.matcher(rest);
            out.put(ssEndpoint(m.group(4)) + " " + ssEndpoint(m.group(5)), new Sock(
                    ssState(m.group(1)),
                    ino.find() ? Long.parseLong(ino.group(1)) : 0,
                    uid.find() ? Integer.parseInt(uid.group(1)) : 0,
                    user.find() ? Integer.valueOf(user.group(2)) : null,
                    user.find(0) ? user.group(1) : null,
                    timer.find() ? timer.group(1) : "off",
                    Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    arrows.find() ? shutdown(arrows.group(1)) : null,
                    lastAck.find() ? Long.valueOf(lastAck.group(1)) : null));
        }
        return new SsView(out, from, to);
    }

    private static String shutdown(String arrows) {
        return switch (arrows) {
            case "<->" -> "NONE";
            case "-->" -> "RD";
            case "<--" -> "WR";
            default -> "RDWR";
        };
    }

    /** ss prints a wildcard port as *, and IPv6 in brackets; finwatch prints 0 and the same brackets. */
    private static String ssEndpoint(String s) {
        return s.endsWith(":*") ? s.substring(0, s.length() - 1) + "0" : s;
    }

    private static String ssState(String s) {
        return switch (s) {
            case "ESTAB" -> "ESTABLISHED";
            case "SYN-RECV" -> "SYN_RECV";
            case "UNCONN" -> "CLOSE";
            default -> s.replace('-', '_').replace("FIN_WAIT_", "FIN_WAIT");
        };
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.getErrorStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue());
        }
        return out;
    }
}
