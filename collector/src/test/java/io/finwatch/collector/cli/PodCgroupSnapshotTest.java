package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real processes holding real sockets, moved into real cgroups named as the kubelet names them, and
 * {@code finwatch snapshot} naming each socket's pod from its owner's cgroup: the cgroupfs driver in a cgroup v1
 * hierarchy ({@code /kubepods/burstable/pod<uid>/<container>}) and the systemd driver in cgroup v2
 * ({@code kubepods-besteffort-pod<uid with underscores>.slice/cri-containerd-<container>.scope}). The cgroups are made
 * under the machine's hierarchies with fresh UIDs and removed after.
 */
class PodCgroupSnapshotTest {
    private static final Path V1_PIDS = Path.of("/sys/fs/cgroup/pids");
    private static final Path V2 = Path.of("/sys/fs/cgroup/unified");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Process> holders = new ArrayList<>();
    /** Made by the test, removed deepest first. */
    private final List<Path> made = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : holders) {
            p.destroyForcibly().waitFor();
        }
        for (int i = made.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(made.get(i));
        }
    }

    @Test
    void snapshotNamesEachSocketsPodFromItsOwnersCgroup() throws Exception {
        assumeTrue(Files.isWritable(V1_PIDS.resolve("cgroup.procs")) && Files.isWritable(V2.resolve("cgroup.procs")),
                "needs root and cgroup v1 at " + V1_PIDS + " and cgroup2 at " + V2);
        String v1Uid = UUID.randomUUID().toString();
        String v2Uid = UUID.randomUUID().toString();
        String v1Container = containerId();
        String v2Container = containerId();

        Holder cgroupfs = startHolder();
        moveInto(cgroupfs.process, V1_PIDS, "kubepods", "burstable", "pod" + v1Uid, v1Container);
        Holder systemd = startHolder();
        moveInto(systemd.process, V2, "kubepods.slice", "kubepods-besteffort.slice",
                "kubepods-besteffort-pod" + v2Uid.replace('-', '_') + ".slice", "cri-containerd-" + v2Container + ".scope");
        assertThat(Files.readString(Path.of("/proc", Long.toString(systemd.process.pid()), "cgroup")))
                .contains("kubepods-besteffort-pod" + v2Uid.replace('-', '_'));

        List<JsonNode> rows = snapshot();
        assertThat(socketsOf(rows, cgroupfs)).as("sockets of the cgroupfs holder").hasSize(3)
                .allSatisfy(n -> {
                    assertThat(n.get("pod_uid").asText()).isEqualTo(v1Uid);
                    assertThat(n.get("container_id").asText()).isEqualTo(v1Container);
                });
        assertThat(socketsOf(rows, systemd)).as("sockets of the systemd holder").hasSize(3)
                .allSatisfy(n -> {
                    assertThat(n.get("pod_uid").asText()).isEqualTo(v2Uid);
                    assertThat(n.get("container_id").asText()).isEqualTo(v2Container);
                });
        long selfPid = ProcessHandle.current().pid();
        assertThat(rows).filteredOn(n -> n.get("pid").asLong() == selfPid)
                .allSatisfy(n -> assertThat(n.get("pod_uid").isNull()).isTrue());
    }

    private record Holder(Process process, int port) {
    }

    private Holder startHolder() throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:TieredStopAtLevel=1", "-cp", classpath(), SocketHolderMain.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        holders.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("holder started").startsWith("READY ");
        return new Holder(p, Integer.parseInt(line.substring("READY ".length())));
    }

    /** Creates the path's cgroups under {@code root} (those not there yet, to be removed after) and moves the process in. */
    private void moveInto(Process p, Path root, String... path) throws IOException {
        Path dir = root;
        for (String segment : path) {
            dir = dir.resolve(segment);
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir);
                made.add(dir);
            }
        }
        Files.writeString(dir.resolve("cgroup.procs"), Long.toString(p.pid()));
    }

    /** The listener and both ends of the established pair: the holder's sockets on its port. */
    private static List<JsonNode> socketsOf(List<JsonNode> rows, Holder h) {
        return rows.stream().filter(n -> n.get("pid").asLong() == h.process.pid())
                .filter(n -> n.get("local_port").asInt() == h.port || n.get("remote_port").asInt() == h.port)
                .toList();
    }

    private static List<JsonNode> snapshot() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath(), CollectorMain.class.getName(), "snapshot", "--json")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<JsonNode> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                rows.add(JSON.readTree(line));
            }
        }
        assertThat(p.waitFor()).as("snapshot exit status").isZero();
        return rows;
    }

    private static String containerId() {
        byte[] id = new byte[32];
        ThreadLocalRandom.current().nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
