package io.finwatch.collector.repro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.collector.cli.CollectorMain;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code finwatch repro --netns} as a real process, killed with -9: what it leaves behind and who cleans it up. */
class ReproNamespaceTest {

    @Test
    void aReproKilledWithMinus9LeavesANamespaceTheNextRunRemovesAndItsSocketHolderExits() throws Exception {
        Process repro = new ProcessBuilder(javaCommand(CollectorMain.class.getName(), "repro", "--netns", "--fin-timeout", "2s"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String namespace = ReproNamespace.PREFIX + repro.pid();
        long holder = -1;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(repro.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                // the explanation
            }
            assertThat(line).as("the repro's READY line").startsWith("READY pid=");
            holder = Long.parseLong(line.substring("READY pid=".length(), line.indexOf(' ', "READY pid=".length())));
            assertThat(holder).as("the sockets are held by a process inside the namespace").isNotEqualTo(repro.pid());

            repro.destroyForcibly().waitFor();
            long holderPid = holder;
            // Its stdin pipe closed with the repro: the holder must not keep the sockets in an orphaned namespace.
            await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(holderPid).isEmpty());
            assertThat(namespaces()).contains(namespace);

            ByteArrayOutputStream said = new ByteArrayOutputStream();
            ReproNamespace.removeLeftovers(new PrintStream(said, true, StandardCharsets.UTF_8));
            assertThat(namespaces()).doesNotContain(namespace);
            assertThat(said.toString(StandardCharsets.UTF_8)).contains("removed namespace " + namespace);
        } finally {
            repro.destroyForcibly().waitFor();
            if (holder > 0) {
                ProcessHandle.of(holder).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (namespaces().contains(namespace)) {
                run("ip", "netns", "delete", namespace);
            }
        }
    }

    @Test
    void onlyNamespacesNamedByAReproNameTheirOwner() {
        assertThat(ReproNamespace.ownerPid("finwatch-repro-4242")).contains(4242L);
        assertThat(ReproNamespace.ownerPid("finwatch-repro-x")).isEqualTo(Optional.empty());
        assertThat(ReproNamespace.ownerPid("fwbench")).isEqualTo(Optional.empty());
    }

    private static String namespaces() throws IOException, InterruptedException {
        return run("ip", "netns", "list");
    }

    private static List<String> javaCommand(String main, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }
}
