package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.common.config.Cli;
import io.finwatch.testkit.net.NetBed;
import io.finwatch.testkit.net.Netns;
import io.finwatch.testkit.net.Peer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --netns} and {@code --host-netns}: a collector (or a snapshot) of only the namespaces a test made. */
class NetnsSelectionTest {

    @Test
    void onlyTheNamedNamespacesAreScannedByNamePathOrInodeAndTheHostIsTheOneGiven() throws Exception {
        try (NetBed bed = NetBed.create()) {
            Netns a = bed.namespace("a");
            long aInode = a.inode();
            Netns b = bed.namespace("b");
            Netns router = bed.namespace("router");
            a.start("sleep", "300");
            b.start("sleep", "300");
            Procfs proc = Procfs.system();
            NetnsScanner byName = new NetnsScanner(proc, NetnsSelection.of(List.of(a.name()), router.name()));
            NamespaceSet scanned = await().atMost(Duration.ofSeconds(10))
                    .until(() -> byName.scan(), s -> s.byInode().containsKey(aInode));
            assertThat(scanned.byInode().keySet()).containsExactly(a.inode());
            assertThat(scanned.hostNetns()).isEqualTo(router.inode());

            NamespaceSet byPathAndInode = new NetnsScanner(proc, NetnsSelection.of(
                    List.of(a.path().toString(), Long.toString(b.inode())), null)).scan();
            assertThat(byPathAndInode.byInode().keySet()).containsExactlyInAnyOrder(a.inode(), b.inode());
            assertThat(byPathAndInode.hostNetns()).isNotIn(a.inode(), b.inode(), router.inode());

            // A name that does not exist yet watches nothing, and says so; it is not an error.
            NamespaceSet missing = new NetnsScanner(proc, NetnsSelection.of(List.of(a.name() + "x"), null)).scan();
            assertThat(missing.size()).isZero();
        }
    }

    @Test
    void snapshotPrintsTheSocketsOfTheSelectedNamespaceOnly() throws Exception {
        try (NetBed bed = NetBed.create()) {
            Netns a = bed.namespace("a");
            Peer.server(a, "127.0.0.1", 8080);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream saved = System.out;
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            int status;
            try {
                status = Cli.run(new CollectorMain(), new String[] {"snapshot", "--netns", a.name(), "--json"});
            } finally {
                System.setOut(saved);
            }
            String printed = out.toString(StandardCharsets.UTF_8);
            assertThat(status).as(printed).isZero();
            assertThat(printed.lines()).hasSize(1).allSatisfy(l -> assertThat(l)
                    .contains("\"netns\":" + a.inode()).contains("LISTEN").contains("8080"));
        }
    }

    @Test
    void anInodeCannotBeTheHostNamespaceSinceItCannotBeEntered() {
        assertThatThrownBy(() -> NetnsSelection.of(List.of(), "4026531840"))
                .hasMessageContaining("--host-netns 4026531840");
        assertThatThrownBy(() -> NetnsSelection.of(List.of(" "), null)).hasMessageContaining("--netns");
    }
}
