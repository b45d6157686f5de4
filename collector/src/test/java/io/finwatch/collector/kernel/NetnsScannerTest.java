package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsScannerTest {

    @TempDir
    Path root;

    private void nsLink(int pid, String target) throws IOException {
        Path ns = Files.createDirectories(root.resolve(Integer.toString(pid)).resolve("ns"));
        Files.deleteIfExists(ns.resolve("net"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of(target));
    }

    private void gone(int pid) throws IOException {
        Path dir = root.resolve(Integer.toString(pid));
        Files.deleteIfExists(dir.resolve("ns").resolve("net"));
        Files.deleteIfExists(dir.resolve("ns"));
        Files.deleteIfExists(dir);
    }

    @Test
    void groupsPidsByNamespaceWithLowestPidAsRepresentative() throws IOException {
        nsLink(1, "net:[4026531840]");
        nsLink(9, "net:[4026532100]");
        nsLink(7, "net:[4026531840]");
        nsLink(12, "net:[4026532100]");
        // A pid directory whose process exited between listing and readlink.
        Files.createDirectories(root.resolve("30"));

        NamespaceSet set = new NetnsScanner(new Procfs(root)).scan();

        assertThat(set.byInode()).containsOnlyKeys(4026531840L, 4026532100L);
        assertThat(set.get(4026531840L)).isEqualTo(new NetNamespace(4026531840L, 1, List.of(1, 7)));
        assertThat(set.get(4026532100L)).isEqualTo(new NetNamespace(4026532100L, 9, List.of(9, 12)));
        assertThat(set.hostNetns()).isEqualTo(4026531840L);
        assertThat(set.vanishedPids()).isEqualTo(1);
        assertThat(set.deniedPids()).isZero();
        assertThat(set.failedPids()).isZero();
        assertThat(set.allPids()).containsExactlyInAnyOrder(1, 7, 9, 12);
    }

    @Test
    void keepsTheRepresentativeWhileItLivesThenTakesTheLowestPid() throws IOException {
        nsLink(50, "net:[4026532200]");
        nsLink(60, "net:[4026532200]");
        NetnsScanner scanner = new NetnsScanner(new Procfs(root));
        NamespaceSet first = scanner.scan(NamespaceSet.empty());
        assertThat(first.get(4026532200L).representativePid()).isEqualTo(50);

        nsLink(20, "net:[4026532200]");
        NamespaceSet second = scanner.scan(first);
        assertThat(second.get(4026532200L).representativePid()).as("a lower pid arrived").isEqualTo(50);

        gone(50);
        NamespaceSet third = scanner.scan(second);
        NetNamespace after = third.get(4026532200L);
        assertThat(after.representativePid()).isEqualTo(20);
        assertThat(after.pids()).containsExactly(20, 60);
        assertThat(scanner.scan(third).get(4026532200L)).as("kept from the scan before").isEqualTo(after);
    }

    @Test
    void forgetsANamespaceWhoseLastProcessLeft() throws IOException {
        nsLink(5, "net:[4026532300]");
        nsLink(6, "net:[4026532301]");
        NetnsScanner scanner = new NetnsScanner(new Procfs(root));
        assertThat(scanner.scan().byInode()).containsOnlyKeys(4026532300L, 4026532301L);
        gone(6);
        assertThat(scanner.scan().byInode()).containsOnlyKeys(4026532300L);
    }

    @Test
    void hostNamespaceFallsBackToSelfWhenPidOneIsNotVisible() throws IOException {
        nsLink(40, "net:[4026532400]");
        nsLink(41, "net:[4026532401]");
        Files.createSymbolicLink(root.resolve("self"), Path.of("41"));
        assertThat(new NetnsScanner(new Procfs(root)).scan().hostNetns()).isEqualTo(4026532401L);
    }

    @Test
    void hostNamespaceIsZeroWhenNeitherPidOneNorSelfIsReadable() throws IOException {
        nsLink(40, "net:[4026532400]");
        assertThat(new NetnsScanner(new Procfs(root)).scan().hostNetns()).isZero();
    }

    @Test
    void countsALinkOfTheWrongShapeAsFailedAndKeepsTheRest() throws IOException {
        nsLink(3, "net:[4026532500]");
        nsLink(4, "mnt:[4026531841]");
        nsLink(8, "net:[not-a-number]");
        nsLink(10, "net:[99999999999999999999]");
        nsLink(11, "net:[]");
        NamespaceSet set = new NetnsScanner(new Procfs(root)).scan();
        assertThat(set.failedPids()).isEqualTo(4);
        assertThat(set.allPids()).containsExactly(3);
    }

    @Test
    void realProcSeesThisJvmAndAProcessInAFreshNamespace() throws Exception {
        int self = (int) ProcessHandle.current().pid();
        long ownNetns = TestNetns.netnsOf(self);
        try (TestNetns netns = TestNetns.create()) {
            Process inside = netns.startSleeper();
            long insideNetns = TestNetns.netnsOf(inside.pid());

            NetnsScanner scanner = new NetnsScanner(Procfs.system());
            NamespaceSet set = scanner.scan();

            assertThat(set.get(ownNetns).contains(self)).isTrue();
            assertThat(set.get(insideNetns))
                    .isEqualTo(new NetNamespace(insideNetns, (int) inside.pid(), List.of((int) inside.pid())));
            assertThat(set.hostNetns()).isNotZero();

            inside.destroyForcibly();
            inside.waitFor();
            assertThat(scanner.scan().get(insideNetns)).as("namespace with no process left").isNull();
        }
    }

    @Test
    void countsProcessesWhoseNamespaceWeMayNotRead() throws Exception {
        Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "sleep", "300").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int pid = (int) nobody.pid();
            // setpriv execs sleep once it has switched user; until then the process is still ours.
            org.awaitility.Awaitility.await().until(
                    () -> Files.getOwner(Path.of("/proc", Integer.toString(pid))).getName().equals("nobody"));
            NetnsScanner privileged = new NetnsScanner(Procfs.system());
            assertThat(privileged.scan().allPids()).contains(pid);

            NamespaceSet unprivileged = ThreadCaps.withoutCapabilities(() -> new NetnsScanner(Procfs.system()).scan());
            assertThat(unprivileged.allPids()).doesNotContain(pid).contains((int) ProcessHandle.current().pid());
            assertThat(unprivileged.deniedPids()).isPositive();
        } finally {
            nobody.destroyForcibly();
            nobody.waitFor();
        }
    }
}
