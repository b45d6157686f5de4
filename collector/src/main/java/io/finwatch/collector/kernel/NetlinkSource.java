package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.ReadScope;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each namespace's sockets from a netlink sock_diag dump ({@link SockDiagReader}). A namespace that cannot be
 * entered (the collector lacks CAP_SYS_ADMIN, or the process it was reached through left) is read through /proc
 * instead, with one warning per namespace, so the table is the same either way.
 */
final class NetlinkSource implements SocketSource {
    private static final Logger log = LoggerFactory.getLogger(NetlinkSource.class);

    private final SockDiagReader diag;
    private final ProcfsSource fallback;
    private final Set<Long> warned = new HashSet<>();

    NetlinkSource(Procfs procfs) {
        this.diag = new SockDiagReader(procfs);
        this.fallback = new ProcfsSource(procfs);
    }

    @Override
    public void retain(NamespaceSet namespaces) {
        Set<Long> live = namespaces.byInode().keySet();
        diag.retain(live);
        warned.retainAll(live);
    }

    @Override
    public ReadScope read(NetNamespace ns, ReadScope asked, Consumer<SocketRow> rows, List<ParseError> errors,
                          List<String> readFailures) {
        try {
            diag.read(ns, stateMask(asked), rows, errors::add);
            return asked;
        } catch (SockDiagReader.NotEntered e) {
            if (warned.add(ns.inode())) {
                log.warn("cannot make a netlink socket in {}; reading its /proc tables instead", e.getMessage());
            }
            return fallback.read(ns, ReadScope.WHOLE, rows, errors, readFailures);
        } catch (IOException e) {
            readFailures.add(e.getMessage());
            return asked;
        }
    }

    /** The sock_diag {@code idiag_states} bit mask for a scope: bit n set asks for sockets in state n. */
    static int stateMask(ReadScope scope) {
        if (scope == ReadScope.WHOLE) {
            return -1;
        }
        return ~((1 << TcpState.ESTABLISHED.code()) | (1 << TcpState.LISTEN.code()));
    }

    @Override
    public void close() {
        diag.close();
        fallback.close();
    }
}
