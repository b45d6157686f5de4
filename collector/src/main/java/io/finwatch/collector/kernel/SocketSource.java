package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** Where a poll reads each namespace's TCP sockets from. One poll loop uses a source; not thread-safe. */
public interface SocketSource extends AutoCloseable {

    /** The sources a user can choose ({@code --source}). */
    enum Kind {
        /** /proc/&lt;pid&gt;/net/tcp and tcp6, parsed as text: works on any procfs tree, also a copy of one. */
        PROCFS,
        /**
         * A netlink sock_diag dump per namespace: the same rows for less kernel time. Reads the namespaces of the
         * live kernel only, so it is meaningful for the real /proc (or the host's, mounted elsewhere).
         */
        NETLINK;

        /** netlink for the real /proc, procfs for any other tree (a fixture or a copy has no kernel behind it). */
        public static Kind defaultFor(Procfs procfs) {
            return procfs.root().equals(Path.of("/proc")) ? NETLINK : PROCFS;
        }
    }

    /** A source of the kind, reading through {@code procfs}. */
    static SocketSource open(Kind kind, Procfs procfs) {
        return kind == Kind.NETLINK ? new NetlinkSource(procfs) : new ProcfsSource(procfs);
    }

    /**
     * Delivers the sockets of {@code ns} that {@code asked} covers to {@code rows} (ordinal 0). Rows that could
     * not be decoded go to {@code errors}; a table that could not be read, or not completely, to
     * {@code readFailures}.
     *
     * @return the scope the rows cover: a source that cannot narrow its read returns {@link ReadScope#WHOLE}
     */
    ReadScope read(NetNamespace ns, ReadScope asked, Consumer<SocketRow> rows, List<ParseError> errors,
                   List<String> readFailures);

    /** Called once per poll with the namespaces just scanned, before they are read. */
    default void retain(NamespaceSet namespaces) {
    }

    @Override
    void close();
}

