package io.finwatch.collector.track;

import io.finwatch.collector.kernel.FinTimeoutReader;
import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.kernel.ProcessTable;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketOwners;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fetch loop's body: find the namespaces, read each one's TCP tables once, attribute sockets to
 * processes, and diff against the previous poll.
 *
 * <p>Not thread-safe: one thread polls.
 */
public final class SocketPoller implements AutoCloseable {
    private final Clock clock;
    private final boolean attribution;
    private final NetnsScanner scanner;
    private final FinTimeoutReader finTimeouts;
    private final ProcessTable processes;
    private final SocketOwners owners;
    private final SocketSource source;

    /**
     * How often each namespace is read whole; in between, only its unsettled sockets are read. Zero reads every
     * namespace whole at every poll.
     */
    private Duration wholeReadEvery = Duration.ZERO;
    /** When each namespace was last read whole; a namespace not in here has no complete previous table. */
    private final Map<Long, Instant> wholeReadAt = new HashMap<>();
    private SocketTable previous = SocketTable.empty();
    /** Orphans keep the owner they had while attached: once the inode is 0, /proc no longer says. */
    private Map<SocketKey, LastOwner> lastOwners = new HashMap<>();
    private Instant previousObservedAt;

    /** Reads the sockets through netlink for the real /proc, through the files of any other procfs tree. */
    public SocketPoller(Procfs procfs, Clock clock, boolean attribution) {
        this(procfs, clock, attribution, SocketSource.Kind.defaultFor(procfs));
    }

    public SocketPoller(Procfs procfs, Clock clock, boolean attribution, SocketSource.Kind source) {
        this(procfs, clock, attribution, source,
                new FinTimeoutReader(procfs, clock, FinTimeoutReader.DEFAULT_REFRESH));
    }

    public SocketPoller(Procfs procfs, Clock clock, boolean attribution, SocketSource.Kind source,
                        FinTimeoutReader finTimeouts) {
        this.source = SocketSource.open(source, procfs);
        this.clock = clock;
        this.attribution = attribution;
        this.scanner = new NetnsScanner(procfs);
        this.finTimeouts = finTimeouts;
        this.processes = new ProcessTable(procfs);
        this.owners = new SocketOwners(procfs, processes, clock, SocketOwners.DEFAULT_UNRESOLVED_RETRY);
    }

    /**
     * Reads each namespace whole only this often, and in between only its sockets outside ESTABLISHED and
     * LISTEN ({@link ReadScope}), where the source can narrow its reads (netlink can, /proc text cannot). New
     * connections are then reported up to this late, and an orphan's owner is known only when the connection was
     * seen attached. Zero (the default) reads every namespace whole at every poll.
     */
    public SocketPoller readWholeEvery(Duration every) {
        if (every.isNegative()) {
            throw new IllegalArgumentException("negative whole-read interval: " + every);
        }
        this.wholeReadEvery = every;
        return this;
    }

    /**
     * Forgets the previous table, so the next poll reads every namespace whole and reports every socket as first
     * seen. Used after events were shed: downstream state is rebuilt from the full table.
     */
    public void resync() {
        previous = SocketTable.empty();
        wholeReadAt.clear();
        owners.resync();
    }

    public PollResult poll() throws IOException {
        long start = System.nanoTime();
        Instant observedAt = clock.instant();
        NamespaceSet namespaces = scanner.scan();
        processes.retain(namespaces.allPids());
        Map<Long, FinTimeout> timeouts = finTimeouts.timeouts(namespaces);
        source.retain(namespaces);

        List<ParseError> errors = new ArrayList<>();
        List<String> readFailures = new ArrayList<>();
        Map<Long, Integer> perNetns = new HashMap<>();
        SocketTable.Builder builder = SocketTable.builder(Math.max(1024, previous.size() + previous.size() / 8));
        IncrementalDiff diff = new IncrementalDiff(previous, builder);
        Set<Long> unsettledOnly = new HashSet<>();
        wholeReadAt.keySet().retainAll(namespaces.byInode().keySet());
        for (NetNamespace ns : namespaces.namespaces()) {
            int before = builder.size();
            ReadScope read = source.read(ns, scopeFor(ns.inode(), observedAt), diff::add, errors, readFailures);
            if (read == ReadScope.WHOLE) {
                wholeReadAt.put(ns.inode(), observedAt);
            } else {
                unsettledOnly.add(ns.inode());
            }
            perNetns.put(ns.inode(), builder.size() - before);
        }
        IncrementalDiff.Result diffed = diff.finish(unsettledOnly);
        diffed.carried().forEach((netns, n) -> perNetns.merge(netns, n, Integer::sum));
        SocketTable table = diffed.table();
        List<SocketChange> changes = diffed.changes();

        // Capture owners of sockets orphaned or gone in this poll before resolve() forgets their inodes.
        Map<SocketKey, LastOwner> goneOwners = new HashMap<>();
        Map<SocketKey, LastOwner> nextLastOwners = carryLastOwners(changes, table, goneOwners);

        Map<Long, Owner> resolved = Map.of();
        if (attribution) {
            // Only the changes: a quiet poll reads no fd link, one stat per owning process at most.
            owners.update(namespaces, changes);
            resolved = owners.asMap();
        }
        previous = table;
        previousObservedAt = observedAt;
        lastOwners = nextLastOwners;
        goneOwners.putAll(nextLastOwners);
        return new PollResult(observedAt, namespaces, timeouts, table, changes, resolved, goneOwners,
                List.copyOf(errors), List.copyOf(readFailures), perNetns, Set.copyOf(unsettledOnly), diffed.counts(),
                System.nanoTime() - start);
    }

    private ReadScope scopeFor(long netns, Instant now) {
        Instant last = wholeReadAt.get(netns);
        if (wholeReadEvery.isZero() || last == null || !now.isBefore(last.plus(wholeReadEvery))) {
            return ReadScope.WHOLE;
        }
        return ReadScope.UNSETTLED;
    }

    /**
     * The last attached owner of every orphan in {@code table}; owners of sockets that went away in this poll go
     * to {@code gone}, so their GONE events can still name the process.
     */
    private Map<SocketKey, LastOwner> carryLastOwners(List<SocketChange> changes, SocketTable table,
                                                      Map<SocketKey, LastOwner> gone) {
        Map<SocketKey, LastOwner> next = new HashMap<>(lastOwners.size() + 16);
        for (Map.Entry<SocketKey, LastOwner> e : lastOwners.entrySet()) {
            SocketRow row = table.get(e.getKey());
            if (row != null && row.inode() == 0) {
                next.put(e.getKey(), e.getValue());
            }
        }
        if (!attribution) {
            return next;
        }
        for (SocketChange c : changes) {
            SocketRow before = c.before();
            SocketRow after = c.after();
            if (before != null && before.inode() != 0 && (after == null || after.inode() == 0)) {
                // The inode was live in the previous poll, so its owner (if any) was resolved then.
                Owner o = owners.owner(before.inode());
                if (o != null) {
                    (after == null ? gone : next).put(c.key(), new LastOwner(o, previousObservedAt));
                }
            } else if (before != null && after == null && lastOwners.containsKey(c.key())) {
                gone.put(c.key(), lastOwners.get(c.key()));
            }
        }
        return next;
    }


    public ProcessTable processes() {
        return processes;
    }

    public SocketOwners owners() {
        return owners;
    }

    @Override
    public void close() {
        source.close();
        finTimeouts.close();
    }
}
