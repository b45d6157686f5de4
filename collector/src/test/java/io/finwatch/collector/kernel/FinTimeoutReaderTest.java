package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.finwatch.collector.track.FinTimeout.Source;
import io.finwatch.collector.track.FinTimeout;
import io.finwatch.collector.track.FinTimeouts;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class FinTimeoutReaderTest {
    private static final String KEY = FinTimeoutReader.SYSCTL;
    private static final Duration REFRESH = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final long ownNetns = TestNetns.netnsOf(ProcessHandle.current().pid());
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final FinTimeouts kept = new FinTimeouts(REFRESH);
    private FinTimeoutReader reader;
    private int hostValue;

    @BeforeEach
    void setUp() throws Exception {
        hostValue = Integer.parseInt(TestNetns.run("sysctl", "-n", KEY).strip());
        reader = new FinTimeoutReader(Procfs.system());
        logs.start();
        ((Logger) LoggerFactory.getLogger(FinTimeouts.class)).addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(FinTimeouts.class)).detachAppender(logs);
        reader.close();
    }

    /** What a poll does: the values kept, with those due read through this reader. */
    private Map<Long, FinTimeout> timeouts(NamespaceSet set) {
        return kept.refresh(set, clock.instant(), reader);
    }

    /** A value for a test namespace that cannot be mistaken for the host's. */
    private int unlikeHost(int preferred) {
        return preferred == hostValue ? preferred + 1 : preferred;
    }

    private static NamespaceSet only(long netns, int pid) {
        return new NamespaceSet(Map.of(netns, new NetNamespace(netns, pid, List.of(pid))), netns, 0, 0, 0);
    }

    private List<String> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @Test
    void readsEachNamespacesOwnValueAndTheHosts() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            int value = unlikeHost(7);
            netns.sysctl(KEY, Integer.toString(value));
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());

            Map<Long, FinTimeout> timeouts = timeouts(new NetnsScanner(Procfs.system()).scan());

            assertThat(timeouts.get(insideNetns)).isEqualTo(new FinTimeout(value, Source.NAMESPACE));
            assertThat(timeouts.get(ownNetns)).isEqualTo(new FinTimeout(hostValue, Source.NAMESPACE));
            assertThat(reader.readerThreadNetns()).as("reader thread back home").isEqualTo(ownNetns);
        }
    }

    @Test
    void readsAgainOnlyAfterTheRefreshInterval() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            int first = unlikeHost(7);
            int second = unlikeHost(first + 2);
            netns.sysctl(KEY, Integer.toString(first));
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());
            NamespaceSet set = only(insideNetns, (int) inside.pid());

            assertThat(timeouts(set).get(insideNetns)).isEqualTo(new FinTimeout(first, Source.NAMESPACE));
            netns.sysctl(KEY, Integer.toString(second));
            assertThat(timeouts(set).get(insideNetns)).as("a new namespace is read again at the next poll")
                    .isEqualTo(new FinTimeout(second, Source.NAMESPACE));
            netns.sysctl(KEY, Integer.toString(first));
            clock.advance(REFRESH.minusSeconds(1));
            assertThat(timeouts(set).get(insideNetns).seconds()).as("cached").isEqualTo(second);
            clock.advance(Duration.ofSeconds(1));
            assertThat(timeouts(set).get(insideNetns)).isEqualTo(new FinTimeout(first, Source.NAMESPACE));
            assertThat(reader.readerThreadNetns()).isEqualTo(ownNetns);
            // Read through the thread again: it must see the host's value, not the namespace's.
            assertThat(timeouts(only(ownNetns, (int) ProcessHandle.current().pid())).get(ownNetns))
                    .isEqualTo(new FinTimeout(hostValue, Source.NAMESPACE));
        }
    }

    @Test
    void forgetsAVanishedNamespaceAndReadsAReturningOneAtOnce() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            int first = unlikeHost(7);
            int second = unlikeHost(first + 2);
            netns.sysctl(KEY, Integer.toString(first));
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());
            NamespaceSet set = only(insideNetns, (int) inside.pid());

            assertThat(timeouts(set).get(insideNetns).seconds()).isEqualTo(first);
            assertThat(kept.cachedNamespaces()).isEqualTo(1);
            assertThat(timeouts(NamespaceSet.empty())).isEmpty();
            assertThat(kept.cachedNamespaces()).isZero();

            netns.sysctl(KEY, Integer.toString(second));
            assertThat(timeouts(set).get(insideNetns)).isEqualTo(new FinTimeout(second, Source.NAMESPACE));
        }
    }

    @Test
    void fallsBackToTheHostValueWhenTheProcessIsGoneAndWarnsOnce() {
        long netns = 4026599999L;
        NamespaceSet set = only(netns, Integer.MAX_VALUE);

        assertThat(timeouts(set).get(netns)).isEqualTo(new FinTimeout(hostValue, Source.HOST_FALLBACK));
        clock.advance(REFRESH);
        assertThat(timeouts(set).get(netns)).isEqualTo(new FinTimeout(hostValue, Source.HOST_FALLBACK));

        assertThat(warnings()).singleElement().asString()
                .contains("netns " + netns, "/proc/" + Integer.MAX_VALUE + "/ns/net", "No such file");
    }

    @Test
    void fallsBackWhenSetnsRefusesTheFile(@TempDir Path root) throws Exception {
        // A plain file where the namespace link should be: open succeeds, setns fails with EINVAL.
        Files.createDirectories(root.resolve("77/ns"));
        Files.writeString(root.resolve("77/ns/net"), "not a namespace");
        Files.createDirectories(root.resolve("sys/net/ipv4"));
        Files.writeString(root.resolve("sys/net/ipv4/tcp_fin_timeout"), "41\n");

        try (FinTimeoutReader fixture = new FinTimeoutReader(new Procfs(root))) {
            assertThat(new FinTimeouts(REFRESH).refresh(only(5L, 77), clock.instant(), fixture).get(5L))
                    .isEqualTo(new FinTimeout(41, Source.HOST_FALLBACK));
            assertThat(warnings()).singleElement().asString().contains("setns", "Invalid argument");
            assertThat(fixture.readerThreadNetns()).isEqualTo(ownNetns);
        }
    }

    @Test
    void fallsBackWhenThePidIsNoLongerInTheNamespace() throws Exception {
        // This JVM is not in netns 4026599998: as if that namespace's pid had been reused out here.
        long netns = 4026599998L;
        FinTimeout t = timeouts(only(netns, (int) ProcessHandle.current().pid())).get(netns);

        assertThat(t).isEqualTo(new FinTimeout(hostValue, Source.HOST_FALLBACK));
        assertThat(warnings()).singleElement().asString().contains("is now in netns " + ownNetns);
        assertThat(reader.readerThreadNetns()).isEqualTo(ownNetns);
    }

    @Test
    void closeStopsTheThreadAndLaterReadsFallBack() throws Exception {
        try (TestNetns netns = TestNetns.create()) {
            netns.sysctl(KEY, Integer.toString(unlikeHost(7)));
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());

            reader.close();
            await().until(reader::isTerminated);
            assertThat(timeouts(only(insideNetns, (int) inside.pid())).get(insideNetns))
                    .isEqualTo(new FinTimeout(hostValue, Source.HOST_FALLBACK));
        }
    }
}
