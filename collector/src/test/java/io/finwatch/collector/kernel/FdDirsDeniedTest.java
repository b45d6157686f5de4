package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.OwnerIndex;
import io.finwatch.collector.track.ProcessTable;
import io.finwatch.collector.track.SocketChange;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A collector with CAP_SYS_PTRACE but not CAP_DAC_READ_SEARCH sees another user's process in its namespace, yet
 * may not list its fd directory (mode 0500, owned by that user): the socket that user holds gets no owner, and
 * the owner index counts the refusal, which /metrics exports as {@code finwatch_owner_fd_dirs_denied_total}.
 */
class FdDirsDeniedTest {

    @Test
    void anotherUsersSocketIsUnresolvedAndTheRefusalCounted() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; exec sleep 300")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try (Socket accepted = server.accept()) {
                int pid = (int) nobody.pid();
                await().until(() -> Files.getOwner(Path.of("/proc", Integer.toString(pid))).getName().equals("nobody")
                        && new ProcessFiles(Procfs.system()).stat(pid).comm().equals("sleep"));
                Procfs proc = Procfs.system();
                long ownNetns = TestNetns.netnsOf(ProcessHandle.current().pid());
                SocketTable table = LoopbackTable.read(proc, ownNetns, port);
                SocketRow held = LoopbackTable.only(table, accepted.getPort(), port);

                OwnerIndex privileged = index();
                privileged.update(new NetnsScanner(proc).scan(), List.of(SocketChange.firstSeen(held)));
                assertThat(privileged.owner(held.inode()).process().pid()).isEqualTo(pid);

                OwnerIndex unprivileged = ThreadCaps.withOnly(() -> {
                    OwnerIndex owners = index();
                    NamespaceSet namespaces = new NetnsScanner(proc).scan();
                    assertThat(namespaces.allPids()).as("ptrace-readable").contains(pid);
                    owners.update(namespaces, List.of(SocketChange.firstSeen(held)));
                    return owners;
                }, ThreadCaps.CAP_SYS_PTRACE);
                assertThat(unprivileged.owner(held.inode())).isNull();
                assertThat(unprivileged.unresolved()).isEqualTo(1);
                assertThat(unprivileged.deniedFdDirs()).isPositive();
            } finally {
                nobody.destroyForcibly();
                nobody.waitFor();
            }
        }
    }

    private static OwnerIndex index() {
        ProcessFiles files = new ProcessFiles(Procfs.system());
        return new OwnerIndex(files, new ProcessTable(files), Clock.systemUTC(), Duration.ofSeconds(30));
    }
}
