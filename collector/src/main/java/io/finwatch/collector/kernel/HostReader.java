package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ReadScope;
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

    private HostReader(Procfs procfs, SocketSource source) {
        this.scanner = new NetnsScanner(procfs);
        this.source = source;
        this.processes = new ProcessFiles(procfs);
        this.finTimeouts = new FinTimeoutReader(procfs);
    }

    /** A reader of the host {@code procfs} shows, its tables read through a source of {@code kind}. */
    public static HostReader open(Procfs procfs, SocketSource.Kind kind) {
        return new HostReader(procfs, SocketSource.open(kind, procfs));
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

    @Override
    public void close() {
        source.close();
        finTimeouts.close();
    }
}
