package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.kernel.NetnsScanner;
import io.finwatch.collector.kernel.ProcessFiles;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.TestNetns;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessTableTest {
    private static final String DOCKER_ID = "3b32abcb0aac65521b0a4a9fee6b4f39da562de1844370af4ddf1256c1b72d0f";
    private static final String CONTAINERD_ID = "404f68ad10f92a2ae2207a9ee4a990516c3a5a2692680400ed0739cf3bae3882";

    @TempDir
    Path root;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    /** A copy of the fixture procfs, so a test may change it. */
    private Procfs fixtureProcfs() throws IOException, URISyntaxException {
        Path source = Path.of(ProcessTableTest.class.getResource("/fixtures/procfs-procs/proc").toURI());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = root.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return new Procfs(root);
    }

    private static ProcessTable table(Procfs procfs) {
        return new ProcessTable(new ProcessFiles(procfs));
    }

    private Process start(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        return p;
    }

    @Test
    void readsAProcessWhoseCommHasSpacesAndParentheses() throws Exception {
        ProcessTable table = table(fixtureProcfs());
        assertThat(table.get(4242)).isEqualTo(new ProcessInfo(4242, 987654, "a) b (c", 1001, DOCKER_ID));
        assertThat(table.get(4243)).isEqualTo(new ProcessInfo(4243, 1234567, "nginx: worker", 101, CONTAINERD_ID,
                "8f2b1c3e-5a7d-4e21-9c0b-1d2e3f405162"));
    }

    @Test
    void countsAMalformedStatAndAnswersNull() throws Exception {
        ProcessTable table = table(fixtureProcfs());
        assertThat(table.get(4244)).isNull();
        assertThat(table.malformed()).isEqualTo(1);
        assertThat(table.get(4242)).isNotNull();
        assertThat(table.get(99999)).as("no such pid").isNull();
        assertThat(table.malformed()).isEqualTo(1);
        assertThat(table.failed()).isZero();
    }

    @Test
    void aReusedPidIsReadAfreshWhileAnUnchangedOneComesFromCache() throws Exception {
        Procfs procfs = fixtureProcfs();
        ProcessTable table = table(procfs);
        assertThat(table.get(4242).uid()).isEqualTo(1001);

        // Same start time and name: the same process, so its other files are not read again.
        Path status = procfs.pid(4242, "status");
        Files.writeString(status, Files.readString(status).replace("Uid:\t1000\t1001", "Uid:\t1000\t2002"));
        assertThat(table.get(4242).uid()).isEqualTo(1001);
        assertThat(table.loads()).isEqualTo(1);

        // A new process under the same pid.
        Path stat = procfs.pid(4242, "stat");
        Files.writeString(stat, Files.readString(stat).replace(" 987654 ", " 990000 "));
        assertThat(table.get(4242)).isEqualTo(new ProcessInfo(4242, 990000, "a) b (c", 2002, DOCKER_ID));
        assertThat(table.loads()).isEqualTo(2);
    }

    @Test
    void aRenamedProcessIsReadAgain() throws Exception {
        Procfs procfs = fixtureProcfs();
        ProcessTable table = table(procfs);
        table.get(4242);
        Path stat = procfs.pid(4242, "stat");
        Files.writeString(stat, Files.readString(stat).replace("(a) b (c)", "(sleep)"));
        assertThat(table.get(4242)).isEqualTo(new ProcessInfo(4242, 987654, "sleep", 1001, DOCKER_ID));
        assertThat(table.loads()).isEqualTo(2);
    }

    @Test
    void retainEvictsProcessesNoLongerLive() throws Exception {
        ProcessTable table = table(fixtureProcfs());
        table.get(4242);
        table.get(4243);
        table.retain(Set.of(4243, 1));
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aRealProcessThatExecsIsSeenUnderItsNewName() throws Exception {
        // bash waits for a line, then replaces itself with sleep: same pid, same start time.
        Process p = new ProcessBuilder("bash", "-c", "read line; exec sleep 300")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        int pid = (int) p.pid();
        ProcessTable table = table(Procfs.system());
        await().until(() -> "bash".equals(table.get(pid).comm()));
        long start = table.get(pid).startTimeTicks();

        p.getOutputStream().write('\n');
        p.getOutputStream().flush();
        await().until(() -> "sleep".equals(table.get(pid).comm()));
        assertThat(table.get(pid).startTimeTicks()).isEqualTo(start);
    }

    @Test
    void aRealChildHasItsRealCommAndStartTime() throws Exception {
        Process sleeper = start("sleep", "300");
        int pid = (int) sleeper.pid();
        ProcessTable table = table(Procfs.system());

        // Read independently of the parser under test (safe here: "sleep" has no space or parenthesis).
        long expectedStart = Long.parseLong(
                TestNetns.run("awk", "{print $22}", "/proc/" + pid + "/stat").strip());
        int expectedUid = (Integer) Files.getAttribute(Path.of("/proc/" + pid), "unix:uid");
        // A child stays in its parent's cgroup, so in the same container or none.
        String expectedContainer = table.get((int) ProcessHandle.current().pid()).containerId();
        await().until(() -> "sleep".equals(table.get(pid).comm()));
        assertThat(table.get(pid))
                .isEqualTo(new ProcessInfo(pid, expectedStart, "sleep", expectedUid, expectedContainer));
    }

    @Test
    void aRealChildNamedWithParenthesesKeepsItsComm() throws Exception {
        Path link = Files.createSymbolicLink(root.resolve("a) b (c"), Path.of("/bin/sleep"));
        Process weird = start(link.toString(), "300");
        int pid = (int) weird.pid();
        ProcessTable table = table(Procfs.system());

        await().until(() -> "a) b (c".equals(table.get(pid).comm()));
        long self = table.get((int) ProcessHandle.current().pid()).startTimeTicks();
        double uptimeSeconds = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
        long clockTicks = Long.parseLong(TestNetns.run("getconf", "CLK_TCK").strip());
        assertThat(table.get(pid).startTimeTicks())
                .as("started after this JVM, before now")
                .isBetween(self, (long) Math.ceil(uptimeSeconds * clockTicks));
    }

    @Test
    void aKilledProcessIsGoneAndEvicted() throws Exception {
        Process victim = start("sleep", "300");
        Process survivor = start("sleep", "300");
        ProcessTable table = table(Procfs.system());
        assertThat(table.get((int) victim.pid())).isNotNull();
        assertThat(table.get((int) survivor.pid())).isNotNull();

        TestNetns.run("kill", "-9", Long.toString(victim.pid()));
        victim.waitFor();

        table.retain(new NetnsScanner(Procfs.system()).scan().allPids());
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.get((int) victim.pid())).isNull();
        assertThat(table.get((int) survivor.pid()).comm()).isEqualTo("sleep");
    }
}
