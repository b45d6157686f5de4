package io.finwatch.collector.daemon;

import io.finwatch.collector.track.OwnerStats;
import io.finwatch.collector.track.PollResult;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.ToDoubleFunction;

/**
 * What finding sockets' processes costs and misses, on /metrics: the owner index's counters from the latest
 * poll's {@link OwnerStats} (all 0 with {@code --no-owners}), and the processes the namespace scan could not
 * place. What each means in operation is in docs/operations.md ("Metrics").
 */
final class OwnerMetrics {
    /** Written by the poll thread, read by the scrape. */
    private volatile OwnerStats latest = OwnerStats.NONE;
    private volatile int pidsDenied;

    OwnerMetrics(MeterRegistry registry) {
        counter(registry, "finwatch_owner_fd_scans", OwnerStats::fdScans,
                "Namespace scans reading the fd links of every process in the namespace, to find new sockets' owners");
        counter(registry, "finwatch_owner_fd_links_read", OwnerStats::fdLinksRead,
                "fd links read (readlink), in scans and to confirm a remembered holder");
        counter(registry, "finwatch_owner_fd_dirs_denied", OwnerStats::fdDirsDenied,
                "Process fd directories the collector could not list (no CAP_DAC_READ_SEARCH: the directory is mode "
                        + "0500, its process's user's; or an LSM): their sockets get no owner");
        counter(registry, "finwatch_owner_checks", OwnerStats::ownerChecks,
                "Stat reads checking that socket owners still live (at most one per process per poll)");
        counter(registry, "finwatch_owner_rehomed", OwnerStats::rehomed,
                "Sockets handed to another holder (a forked child) without a scan when their owner exited");
        counter(registry, "finwatch_owner_processes_read", OwnerStats::processesRead,
                "Processes read in full (status and cgroup): new ones, or a reused pid");
        counter(registry, "finwatch_owner_process_files_malformed", OwnerStats::processFilesMalformed,
                "Process files not in the kernel's format, skipped (a WARN names the file)");
        counter(registry, "finwatch_owner_process_reads_failed", OwnerStats::processReadsFailed,
                "Process reads that failed for another reason than the process exiting");
        Gauge.builder("finwatch_scan_pids_denied", this, m -> m.pidsDenied)
                .description("Processes whose network namespace the latest scan was refused (no CAP_SYS_PTRACE over "
                        + "them, or an LSM): their namespaces and sockets are not seen")
                .register(registry);
        Gauge.builder("finwatch_owner_sockets", this, m -> m.latest.knownSockets()).tag("owner", "known")
                .description("Live sockets by whether their owning process is known").register(registry);
        Gauge.builder("finwatch_owner_sockets", this, m -> m.latest.unresolvedSockets()).tag("owner", "unresolved")
                .description("Live sockets by whether their owning process is known").register(registry);
    }

    void record(PollResult poll) {
        latest = poll.ownerStats();
        pidsDenied = poll.namespaces().deniedPids();
    }

    private void counter(MeterRegistry registry, String name, ToDoubleFunction<OwnerStats> value, String description) {
        FunctionCounter.builder(name, this, m -> value.applyAsDouble(m.latest)).description(description)
                .register(registry);
    }
}
