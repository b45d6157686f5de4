package io.finwatch.collector.track;

import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * What the collector knows about the host from one poll to the next, and the one place that changes it:
 * <ul>
 *   <li>the namespaces of the last scan (their representative pids stay while they live);</li>
 *   <li>each namespace's fin timeout ({@link FinTimeouts});</li>
 *   <li>the previous socket table, which the next read is diffed against, and when each namespace was last read
 *       whole ({@link WholeReads});</li>
 *   <li>who holds each socket ({@link OwnerIndex}, over a {@link ProcessTable}), and who held each orphan
 *       ({@link LastOwners}).</li>
 * </ul>
 * A poll is {@link #nextRead}, which says what to read; a reader ({@code kernel/HostReader}) filling it; then
 * {@link #apply}, which turns it into a {@link PollResult} and becomes the new state. The host is reached only
 * through the two ports it was given: {@link ProcessPort} for owners, {@link FinTimeoutPort} for fin timeouts.
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
public final class HostState {
    /**
     * @param wholeReadEvery    how often each namespace is read whole; in between only its sockets outside
     *                          ESTABLISHED and LISTEN ({@link ReadScope}), where the reader can narrow its reads.
     *                          New connections are then reported up to this late, and an orphan's owner is known
     *                          only when the connection was seen attached. Zero reads every namespace whole at
     *                          every poll
     * @param finTimeoutRefresh how long a namespace's fin timeout is kept before it is read again
     * @param unresolvedRetry   how long a namespace with sockets nobody was found holding waits to be searched again
     */
    public record Settings(Duration wholeReadEvery, Duration finTimeoutRefresh, Duration unresolvedRetry) {
        public static Settings defaults() {
            return new Settings(Duration.ZERO, FinTimeouts.DEFAULT_REFRESH, OwnerIndex.DEFAULT_UNRESOLVED_RETRY);
        }

        public Settings withWholeReadEvery(Duration every) {
            return new Settings(every, finTimeoutRefresh, unresolvedRetry);
        }
    }

    private final Clock clock;
    private final FinTimeoutPort finTimeoutPort;
    private final FinTimeouts finTimeouts;
    private final WholeReads wholeReads;
    /** Null without attribution, as is {@link #owners}. */
    private final ProcessTable processes;
    private final OwnerIndex owners;
    private final LastOwners lastOwners = new LastOwners();
    /** Null when conntrack lookups are off; {@link #addresses} null when addresses are not read. */
    private final Conntracks conntracks;
    private final AddressPort addressPort;
    private final NamespaceAddresses addresses = new NamespaceAddresses(NamespaceAddresses.DEFAULT_REFRESH);
    private final PodPort pods;
    private final NamespacePods namespacePods = new NamespacePods();
    private final SocketEnds ends = new SocketEnds();
    private NamespaceSet namespaces = NamespaceSet.empty();
    private SocketTable previous = SocketTable.empty();
    /** The addresses of the last poll, by which the kernel's state changes are placed in namespaces. */
    private Map<Long, List<String>> lastAddresses = Map.of();

    /**
     * @param processes where owners are looked up; null leaves sockets without owners (attribution off)
     */
    public HostState(Clock clock, Settings settings, FinTimeoutPort finTimeouts, ProcessPort processes) {
        this(clock, settings, finTimeouts, processes, null, null, PodPort.NONE);
    }

    /**
     * @param conntrack where closing sockets' connections are looked up; null leaves them unlooked-up (lookups off)
     * @param addresses where namespaces' interface addresses are read; null leaves them unreported
     */
    public HostState(Clock clock, Settings settings, FinTimeoutPort finTimeouts, ProcessPort processes,
                     ConntrackPort conntrack, AddressPort addresses) {
        this(clock, settings, finTimeouts, processes, conntrack, addresses, PodPort.NONE);
    }

    /** Pods' names and fin timeouts through {@code pods}; no conntrack lookups, no addresses. */
    public HostState(Clock clock, Settings settings, FinTimeoutPort finTimeouts, ProcessPort processes, PodPort pods) {
        this(clock, settings, finTimeouts, processes, null, null, pods);
    }

    /**
     * @param conntrack where closing sockets' connections are looked up; null leaves them unlooked-up (lookups off)
     * @param addresses where namespaces' interface addresses are read; null leaves them unreported
     * @param pods      the node's pods through the Kubernetes API ({@link PodPort#NONE} without): names for the pod
     *                  UIDs of cgroups, and pods' own fin timeouts ({@link PodFinTimeouts}); pods are found only with
     *                  attribution on, through the processes it reads
     */
    public HostState(Clock clock, Settings settings, FinTimeoutPort finTimeouts, ProcessPort processes,
                     ConntrackPort conntrack, AddressPort addresses, PodPort pods) {
        this.conntracks = conntrack == null ? null : new Conntracks(conntrack);
        this.addressPort = addresses;
        this.clock = clock;
        this.pods = pods;
        this.finTimeoutPort = finTimeouts;
        this.finTimeouts = new FinTimeouts(settings.finTimeoutRefresh());
        this.wholeReads = new WholeReads(settings.wholeReadEvery());
        this.processes = processes == null ? null : new ProcessTable(processes);
        this.owners = processes == null ? null
                : new OwnerIndex(processes, this.processes, clock, settings.unresolvedRetry());
    }

    /** What the next poll must read; its time is now. */
    public HostRead nextRead() {
        long start = System.nanoTime();
        Instant observedAt = clock.instant();
        SocketTable.Builder builder = SocketTable.builder(Math.max(1024, expectedRows(observedAt)));
        return new HostRead(observedAt, start, namespaces, wholeReads, new IncrementalDiff(previous, builder,
                observedAt.toEpochMilli()), new HostRead.QuietSource(lastAddresses, previous));
    }

    /**
     * Rows the next reads will deliver: only the unsettled ones when no namespace is due for a whole read (then the
     * table is built over the previous one), else the whole table.
     */
    private int expectedRows(Instant at) {
        int all = previous.size() + previous.size() / 8;
        for (NetNamespace ns : namespaces.namespaces()) {
            if (wholeReads.scopeFor(ns.inode(), at) == ReadScope.WHOLE) {
                return all;
            }
        }
        int unsettled = previous.size() - previous.count(TcpState.ESTABLISHED) - previous.count(TcpState.LISTEN);
        return unsettled + unsettled / 8;
    }

    /**
     * Takes in what a poll read: the diff against the previous table, every namespace's fin timeout, the owners
     * of what changed. The result's owner lookups are valid until the next call.
     */
    public PollResult apply(HostRead read) {
        NamespaceSet scanned = read.namespaces();
        retain(scanned.byInode().keySet(), scanned.allPids());
        for (long netns : read.readWhole()) {
            wholeReads.readWhole(netns, read.observedAt());
        }
        Map<Long, FinTimeout> timeouts = finTimeouts.refresh(scanned, clock.instant(), finTimeoutPort);

        Map<Long, SocketEnd> ended = SocketEnds.byCookie(read.ends());
        IncrementalDiff.Result diffed = read.diff().finish(read.unsettledOnly(), read.unread(), ended);
        Map<Long, Integer> perNetns = read.socketsPerNetns();
        diffed.carried().forEach((netns, n) -> perNetns.merge(netns, n, Integer::sum));
        SocketTable table = diffed.table();
        List<SocketChange> changes = ends.join(diffed.changes(), ended, previous, table);

        // Before the owner index forgets the inodes this poll orphaned or ended.
        Map<SocketKey, LastOwner> last = lastOwners.apply(changes, table, owners == null ? null : owners::owner,
                read.observedAt());
        if (owners != null) {
            // Only the changes: a quiet poll reads no fd link, one stat per owning process at most.
            owners.update(scanned, changes);
        }
        ConntrackView nat = conntracks == null ? ConntrackView.NONE : conntracks.apply(changes, scanned);
        if (conntracks != null) {
            conntracks.retain(scanned);
        }
        Map<Long, List<String>> addressesNow = addressPort == null ? Map.of()
                : addresses.refresh(scanned, clock.instant(), addressPort);
        Map<Long, String> podOfNetns = processes == null ? Map.of() : namespacePods.update(scanned, processes);
        timeouts = PodFinTimeouts.apply(timeouts, podOfNetns, pods);
        previous = table;
        namespaces = scanned;
        lastAddresses = addressesNow;
        LongFunction<Owner> ownerOf = owners == null ? inode -> null : owners::owner;
        return new PollResult(read.observedAt(), scanned, timeouts, table, changes, ownerOf, last,
                List.copyOf(read.errors()), List.copyOf(read.readFailures()), perNetns,
                Set.copyOf(read.unsettledOnly()), Set.copyOf(read.unread()), diffed.counts(),
                owners == null ? OwnerStats.NONE : OwnerStats.of(owners, processes),
                System.nanoTime() - read.startNanos(), nat, addressesNow, podOfNetns, pods);
    }

    /**
     * Forgets the previous table, so the next poll reads every namespace whole and reports every socket as first
     * seen. Used after events were shed: downstream state is rebuilt from the full table. The owners of sockets
     * still there are kept, so the re-send costs no fd scan.
     */
    public void resync() {
        previous = SocketTable.empty();
        wholeReads.clear();
        ends.clear();
        if (owners != null) {
            owners.resync();
        }
    }

    /** What joining destroy notifications to polled sockets has found so far. */
    public SocketEnds ends() {
        return ends;
    }

    /** Forgets what it knew of namespaces and processes the last scan no longer found. */
    private void retain(Set<Long> liveNamespaces, Set<Integer> livePids) {
        wholeReads.retain(liveNamespaces);
        if (processes != null) {
            processes.retain(livePids);
        }
    }
}
