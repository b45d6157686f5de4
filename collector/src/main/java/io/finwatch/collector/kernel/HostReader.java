package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.track.AddressPort;
import io.finwatch.collector.track.ConntrackPort;
import io.finwatch.collector.track.FinTimeoutPort;
import io.finwatch.collector.track.HostRead;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.ProcessPort;
import java.io.IOException;

/**
 * Reads the host for a poll: scans the network namespaces, then reads each one's TCP table from its
 * {@link SocketSource}, in the scope the {@link HostRead} asks for. It also hands out the ports through which
 * {@code track/HostState} reads the rest ({@link #processes()}, {@link #finTimeouts()}).
 *
 * <p>Keeps only handles: the source's per-namespace netlink sockets and threads, which follow the namespaces
 * each scan finds. Not thread-safe: one poll loop reads.
 */
public final class HostReader implements AutoCloseable {
    private final NetnsScanner scanner;
    private final SocketSource source;
    private final ProcessFiles processes;
    private final FinTimeoutReader finTimeouts;
    private final NetnsThread natThread;
    private final ConntrackReader conntrack;
    private final AddressReader addresses;
    /** Null when destroy notifications are off, or the source has no kernel behind it. */
    private final DestroyListener destroys;
    /** Null when the state-change feed is off or could not be opened ({@link #feedProblem} says why). */
    private final StateChangeQueue feed;
    private final String feedProblem;

    private HostReader(Procfs procfs, SocketSource source, NetnsSelection selection, DestroyListener destroys,
                       StateChangeQueue feed, String feedProblem) {
        this.scanner = new NetnsScanner(procfs, selection);
        this.source = source;
        this.destroys = destroys;
        this.feed = feed;
        this.feedProblem = feedProblem;
        this.processes = new ProcessFiles(procfs);
        this.finTimeouts = new FinTimeoutReader(procfs);
        LibC libc = LibC.load();
        this.natThread = new NetnsThread("finwatch-netns-net");
        this.conntrack = new ConntrackReader(procfs, libc, natThread, selection.hostLink());
        this.addresses = new AddressReader(procfs, libc, natThread);
    }

    /** A reader of the host {@code procfs} shows, its tables read through a source of {@code kind}. */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind) {
        return open(procfs, kind, NetnsSelection.all(), false);
    }

    /** As {@link #open(Procfs, SocketSource.Kind)}, watching only the namespaces {@code selection} names. */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind, NetnsSelection selection) {
        return open(procfs, kind, selection, false);
    }

    /**
     * As {@link #open(Procfs, SocketSource.Kind)}, watching only the namespaces {@code selection} names, and also
     * listening to the kernel's destroy notifications in each of them when {@code destroyNotifications} and the
     * source is netlink (the notifications come from the live kernel).
     */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind, NetnsSelection selection,
                                  boolean destroyNotifications) {
        return open(procfs, kind, selection, destroyNotifications, false);
    }

    /**
     * As above, and with {@code stateFeed} (netlink source only) reading the kernel's TCP state changes
     * ({@link StateChangeFeed}), so that a poll between whole reads leaves unread the namespaces where nothing
     * changed. A feed that cannot be opened leaves every namespace read at every poll, and {@link #feedProblem}
     * says why. The /proc text source, which reads every table whole, takes no feed.
     */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind, NetnsSelection selection,
                                  boolean destroyNotifications, boolean stateFeed) {
        SocketSource source = SocketSource.open(kind, procfs);
        DestroyListener destroys = destroyNotifications && kind == SocketSource.Kind.NETLINK
                ? new DestroyListener(procfs) : null;
        StateChangeQueue feed = null;
        String problem = null;
        // The /proc text source reads every table whole anyway: there is nothing for a feed to save it.
        if (stateFeed && kind == SocketSource.Kind.NETLINK) {
            try {
                feed = StateChangeQueue.start(StateChangeFeed.open(procfs.root().getParent()));
            } catch (IOException | RuntimeException | LinkageError e) {
                problem = e.getMessage();
            }
        }
        return new HostReader(procfs, source, selection, destroys, feed, problem);
    }

    /**
     * Fills {@code read}: the namespaces, then every namespace's table.
     *
     * @throws IOException only when the procfs root itself cannot be listed; a table that cannot be read is
     *                     reported in the read
     */
    public HostRead read(HostRead read) throws IOException {
        NamespaceSet namespaces = scanner.scan(read.previousNamespaces());
        read.namespaces(namespaces);
        if (destroys != null) {
            // Everything received so far ended before any table of this poll is read.
            destroys.drainTo(read.ends());
            destroys.retain(namespaces);
        }
        if (feed != null) {
            // Drained after the destroys: a namespace with either is read.
            StateChangeQueue.Taken taken = feed.take();
            read.stateChanges(taken.changes(), taken.lost());
        }
        source.retain(namespaces);
        conntrack.retain(namespaces);
        addresses.retain(namespaces);
        for (NetNamespace ns : namespaces.namespaces()) {
            ReadScope scope = read.scopeFor(ns);
            ReadScope covered = scope == ReadScope.NONE ? ReadScope.NONE
                    : source.read(ns, scope, read.rows(), read.errors(), read.readFailures());
            read.tableRead(ns, covered);
        }
        return read;
    }

    /** Processes' identity files and fd links, for owners. */
    public ProcessPort processes() {
        return processes;
    }

    /** Each namespace's own tcp_fin_timeout, read inside it. */
    public FinTimeoutPort finTimeouts() {
        return finTimeouts;
    }

    /** Conntrack lookups of sockets' connections, in their own namespace and the host's. */
    public ConntrackPort conntrack() {
        return conntrack;
    }

    /** Each namespace's interface addresses. */
    public AddressPort addresses() {
        return addresses;
    }

    /** The state-change feed, for its counters; null when off or unavailable. */
    public StateChangeQueue feed() {
        return feed;
    }

    /** Why the state-change feed asked for is not there; null when it is, or was not asked for. */
    public String feedProblem() {
        return feedProblem;
    }

    /** The destroy notifications' listener, for its counters; null when off. */
    public DestroyListener destroys() {
        return destroys;
    }

    @Override
    public void close() {
        if (destroys != null) {
            destroys.close();
        }
        if (feed != null) {
            feed.close();
        }
        source.close();
        finTimeouts.close();
        conntrack.close();
        addresses.close();
        natThread.close();
    }
}
