package io.finwatch.collector.socket;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The collector keeps two polls alive at once and must fit in a 128 MB heap at 200k sockets. A child JVM
 * with exactly that heap parses both, builds both tables and diffs them; running out of memory kills it.
 */
class SocketTableMemoryTest {

    @Test
    void twoPollsOf200kSocketsFitIn128MbOfHeap() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-cp", classpath, TwoPollsAt200k.class.getName()))
                .redirectErrorStream(true)
                .start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            // Only a guard against a hung child; no duration is asserted.
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
        } finally {
            child.destroyForcibly();
        }

        assertThat(child.exitValue()).as(output).isZero();
        int removed = TwoPollsAt200k.SOCKETS / 100;
        int reused = TwoPollsAt200k.SOCKETS / 40;
        int finWait2 = TwoPollsAt200k.SOCKETS / 20;
        assertThat(output).contains("prev=" + TwoPollsAt200k.SOCKETS
                + " next=" + (TwoPollsAt200k.SOCKETS - removed + TwoPollsAt200k.ADDED)
                + " {FIRST_SEEN=" + (reused + TwoPollsAt200k.ADDED)
                + ", CHANGED=" + finWait2
                + ", GONE=" + (reused + removed) + "}");
    }
}
