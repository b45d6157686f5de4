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

    private HostReader(Procfs procfs, SocketSource source, NetnsSelection selection) {
        this.scanner = new NetnsScanner(procfs, selection);
        this.source = source;
        this.processes = new ProcessFiles(procfs);
        this.finTimeouts = new FinTimeoutReader(procfs);
        LibC libc = LibC.load();
        this.natThread = new NetnsThread("finwatch-netns-net");
        this.conntrack = new ConntrackReader(procfs, libc, natThread, selection.hostLink());
        this.addresses = new AddressReader(procfs, libc, natThread);
    }

    /** A reader of the host {@code procfs} shows, its tables read through a source of {@code kind}. */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind) {
        return open(procfs, kind, NetnsSelection.all());
    }

    /** As {@link #open(Procfs, SocketSource.Kind)}, watching only the namespaces {@code selection} names. */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind, NetnsSelection selection) {
        return new HostReader(procfs, SocketSource.open(kind, procfs), selection);
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
        source.retain(namespaces);
        conntrack.retain(namespaces);
        addresses.retain(namespaces);
        for (NetNamespace ns : namespaces.namespaces()) {
            ReadScope covered = source.read(ns, read.scopeFor(ns), read.rows(), read.errors(), read.readFailures());
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

    @Override
    public void close() {
        source.close();
        finTimeouts.close();
        conntrack.close();
        addresses.close();
        natThread.close();
    }
}
