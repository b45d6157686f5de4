package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.HostState;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The owner index's counters as Prometheus scrapes them, after polls of the fixture host
 * (fixtures/procfs-golden/README.md): six sockets held by pids 310, 700 and 900, in two namespaces.
 */
class OwnerMetricsTest {
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/procfs-golden");

    @Test
    void aFirstPollScansEachNamespaceOnceAndALaterOneOnlyChecksTheOwners() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        OwnerMetrics metrics = new OwnerMetrics(registry);
        try (HostReader host = HostReader.open(new Procfs(FIXTURE), SocketSource.Kind.PROCFS)) {
            HostState state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), host.finTimeouts(),
                    host.processes());
            metrics.record(state.apply(host.read(state.nextRead())));
            String first = registry.scrape();
            assertThat(first).contains("finwatch_owner_fd_scans_total 2.0", "finwatch_owner_fd_links_read_total 8.0",
                    "finwatch_owner_processes_read_total 3.0", "finwatch_owner_checks_total 0.0",
                    "finwatch_owner_sockets{owner=\"known\"} 6.0", "finwatch_owner_sockets{owner=\"unresolved\"} 0.0",
                    "finwatch_owner_fd_dirs_denied_total 0.0", "finwatch_scan_pids_denied 0.0");

            metrics.record(state.apply(host.read(state.nextRead())));
            String second = registry.scrape();
            assertThat(second).contains("finwatch_owner_fd_scans_total 2.0", "finwatch_owner_fd_links_read_total 8.0",
                    "finwatch_owner_checks_total 3.0", "finwatch_owner_processes_read_total 3.0");
        }
    }
}
