package io.finwatch.collector.repro;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReproReportTest {
    private static final List<SocketScenario.Created> CREATED = List.of(
            new SocketScenario.Created("listener", 4, new InetSocketAddress("127.0.0.1", 9999), null, "LISTEN"),
            new SocketScenario.Created("attached FIN_WAIT2 (shutdown, never closed)", 4,
                    new InetSocketAddress("127.0.0.1", 45678), new InetSocketAddress("127.0.0.1", 9999), "FIN_WAIT2"),
            new SocketScenario.Created("its peer", 4,
                    new InetSocketAddress("127.0.0.1", 9999), new InetSocketAddress("127.0.0.1", 45678), "CLOSE_WAIT"),
            new SocketScenario.Created("orphaned FIN_WAIT2 (closed; the kernel reaps it)", 4,
                    new InetSocketAddress("127.0.0.1", 45680), new InetSocketAddress("127.0.0.1", 9999), "FIN_WAIT2"));

    @Test
    void namesEachSocketWhatTheKernelDoesAndWhatFinwatchReports() {
        String text = ReproReport.describe(CREATED, 4242, "finwatch-repro-17", 5);
        assertThat(text)
                .contains("pid 4242 holds these TCP sockets on loopback in network namespace finwatch-repro-17 (tcp_fin_timeout 5 s there)")
                .contains("ATTACHED  127.0.0.1:45678 -> 127.0.0.1:9999  FIN_WAIT2")
                .contains("STUCK about 5 s after it")
                .contains("naming pid 4242")
                .contains("ORPHANED  127.0.0.1:45680 -> 127.0.0.1:9999  FIN_WAIT2")
                .contains("the namespace is deleted");
        assertThat(text.lines().reduce((a, b) -> b).orElseThrow())
                .isEqualTo("READY pid=4242 attached=127.0.0.1:45678 orphaned=127.0.0.1:45680 fin_timeout=5");
    }

    @Test
    void withoutANamespaceItSaysTheHostsTimeoutApplies() {
        assertThat(ReproReport.describe(CREATED, 4242, null, 60))
                .contains("this host's network namespace (tcp_fin_timeout 60 s, the host's value; --netns tries a shorter one)")
                .doesNotContain("namespace is deleted");
    }
}
