package io.finwatch.collector.track;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One poll's reading of the host, from {@link HostState#nextRead} to {@link HostState#apply}: what to read,
 * and what was read. A reader ({@code kernel/HostReader}) first gives the namespaces it found, then reads each
 * one's table in the {@linkplain #scopeFor scope asked} and says what it covered.
 *
 * <p>The rows go straight into the diff against the previous table as they are read (so a poll needs no second
 * pass over them), on whatever thread the reader delivers them, one table at a time; {@link #tableRead} must be
 * called after the table's last row was delivered.
 */
public final class HostRead {
    private final Instant observedAt;
    private final long startNanos;
    private final NamespaceSet previousNamespaces;
    private final WholeReads wholeReads;
    private final IncrementalDiff diff;
    private final Consumer<SocketRow> rows;
    private NamespaceSet namespaces;
    private final List<ParseError> errors = new ArrayList<>();
    private final List<String> readFailures = new ArrayList<>();
    private final Map<Long, Integer> socketsPerNetns = new HashMap<>();
    private final Set<Long> unsettledOnly = new HashSet<>();
    private final List<Long> readWhole = new ArrayList<>();
    private final Set<Long> unread = new HashSet<>();
    private final List<SocketEnd> ends = new ArrayList<>();
    /** The previous poll's knowledge that decides which namespaces may stay unread. */
    private final QuietSource quietSource;
    private List<StateChange> stateChanges;
    private long changesLost;
    private QuietNamespaces quiet;
    private int rowsBefore;

    /** What the previous poll left for deciding which namespaces may stay unread. */
    record QuietSource(Map<Long, List<String>> addresses, SocketTable previous) {
    }

    HostRead(Instant observedAt, long startNanos, NamespaceSet previousNamespaces, WholeReads wholeReads,
             IncrementalDiff diff, QuietSource quietSource) {
        this.observedAt = observedAt;
        this.startNanos = startNanos;
        this.previousNamespaces = previousNamespaces;
        this.wholeReads = wholeReads;
        this.diff = diff;
        this.rows = diff::add;
        this.quietSource = quietSource;
    }

    /** When the poll started (the collector's clock): the time its events carry. */
    public Instant observedAt() {
        return observedAt;
    }

    /** The namespaces of the previous poll, whose representative pids a new scan keeps where it can. */
    public NamespaceSet previousNamespaces() {
        return previousNamespaces;
    }

    /** The namespaces found by this poll's scan: every one is to be read. */
    public void namespaces(NamespaceSet found) {
        this.namespaces = found;
    }

    public NamespaceSet namespaces() {
        if (namespaces == null) {
            throw new IllegalStateException("no namespaces were read");
        }
        return namespaces;
    }

    /**
     * What a read of the namespace's table must cover: {@link ReadScope#NONE} when it need not be read at all, which
     * only a reader that gave {@linkplain #stateChanges the kernel's state changes} is told (after giving them and
     * the {@linkplain #ends destroy notifications}).
     */
    public ReadScope scopeFor(NetNamespace ns) {
        ReadScope scope = wholeReads.scopeFor(ns.inode(), observedAt);
        if (scope == ReadScope.WHOLE || stateChanges == null) {
            return scope;
        }
        if (quiet == null) {
            quiet = changesLost > 0 ? QuietNamespaces.NONE : QuietNamespaces.of(stateChanges, ends,
                    quietSource.addresses(), namespaces().byInode().keySet(), quietSource.previous(),
                    observedAt.toEpochMilli());
        }
        return quiet.quiet(ns.inode()) ? ReadScope.NONE : scope;
    }

    /**
     * The kernel's state changes since the previous poll's drain ({@link StateChange}), from a reader with a feed of
     * them, before any table is read; {@code lost} of them were dropped before they could be read, and then every
     * namespace is read. They also time the rows new in their states ({@link StateEntries}).
     */
    public void stateChanges(List<StateChange> changes, long lost) {
        this.stateChanges = changes;
        this.changesLost = lost;
        diff.entries(StateEntries.of(changes));
    }

    /** Where the rows of the tables go (ordinal 0, as read). */
    public Consumer<SocketRow> rows() {
        return rows;
    }

    /** Rows that could not be decoded go here, and are reported; the rest of the table stands. */
    public List<ParseError> errors() {
        return errors;
    }

    /** Tables that could not be read, or not completely, go here. */
    public List<String> readFailures() {
        return readFailures;
    }

    /** Says that the namespace's table was read, covering {@code covered}; its rows were all delivered. */
    public void tableRead(NetNamespace ns, ReadScope covered) {
        int now = diff.size();
        socketsPerNetns.put(ns.inode(), now - rowsBefore);
        rowsBefore = now;
        if (covered == ReadScope.WHOLE) {
            readWhole.add(ns.inode());
        } else if (covered == ReadScope.NONE) {
            unread.add(ns.inode());
        } else {
            unsettledOnly.add(ns.inode());
        }
    }

    /**
     * Where the kernel's destroy notifications received before the tables were read go: they are joined to this
     * poll's changes ({@link SocketEnds}).
     */
    public List<SocketEnd> ends() {
        return ends;
    }

    long startNanos() {
        return startNanos;
    }

    IncrementalDiff diff() {
        return diff;
    }

    Map<Long, Integer> socketsPerNetns() {
        return socketsPerNetns;
    }

    Set<Long> unsettledOnly() {
        return unsettledOnly;
    }

    Set<Long> unread() {
        return unread;
    }

    List<Long> readWhole() {
        return readWhole;
    }
}
