package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.InetText;
import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of this process's namespace tables that belong to one loopback server: its listener, the
 * connections accepted on it and the clients connected to it. Other sockets of the host (other test runs
 * share the namespace) are left out, so a test sees only the changes it made. So are time-wait minisockets: an
 * earlier connection whose ephemeral port the server's port now is (Java's listeners bind with SO_REUSEADDR, so a
 * port with time-wait sockets on it is free to them) leaves one that looks like this server's for a minute; it made
 * a CI run count six rows where the test had made five.
 */
public final class LoopbackTable {
    private LoopbackTable() {
    }

    public static SocketTable read(Procfs proc, long netns, int serverPort) throws IOException {
        int self = (int) ProcessHandle.current().pid();
        List<ParseError> errors = new ArrayList<>();
        SocketTable.Builder builder = SocketTable.builder();
        for (int family : new int[] {4, 6}) {
            Path file = proc.pid(self, "net", family == 4 ? "tcp" : "tcp6");
            try (InputStream in = Files.newInputStream(file)) {
                TcpTableParser.parse(in, file.toString(), netns, family, row -> {
                    if (row.state() != TcpState.TIME_WAIT && belongs(row.key(), serverPort)) {
                        builder.add(row);
                    }
                }, errors::add);
            }
        }
        if (!errors.isEmpty()) {
            throw new IOException("unreadable table lines: " + errors);
        }
        return builder.build();
    }

    /** The row whose local (or remote) port is {@code port}, for a port only one row of the table has. */
    public static SocketRow only(SocketTable table, int localPort, int remotePort) {
        List<SocketRow> rows = table.rows().stream()
                .filter(r -> (localPort < 0 || r.key().localPort() == localPort)
                        && (remotePort < 0 || r.key().remotePort() == remotePort))
                .toList();
        if (rows.size() != 1) {
            throw new AssertionError("expected one row " + localPort + " -> " + remotePort + " in " + rows);
        }
        return rows.get(0);
    }

    private static boolean belongs(SocketKey k, int port) {
        InetAddress local = InetText.toInetAddress(k.family(), k.localHi(), k.localLo());
        InetAddress remote = InetText.toInetAddress(k.family(), k.remoteHi(), k.remoteLo());
        if (!local.isLoopbackAddress()) {
            return false;
        }
        if (k.localPort() == port) {
            return remote.isLoopbackAddress() || remote.isAnyLocalAddress();
        }
        return k.remotePort() == port && remote.isLoopbackAddress();
    }
}
