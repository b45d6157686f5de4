package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.Golden;
import io.finwatch.common.config.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * End to end over a fixture procfs tree (see fixtures/procfs-golden/README.md): namespaces, tables, owners,
 * containers and the fin-timeout fallback all come from files, so the whole output is known; {@link Golden} says
 * how to rewrite the expected files when a change is intended.
 * The fixture is read in place: its fd links ("socket:[5001]") dangle, which resource copying would not keep.
 */
class SnapshotGoldenTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @ParameterizedTest
    @CsvSource({"--json, procfs-golden.expected.jsonl", "'', procfs-golden.expected.txt"})
    void snapshotOfTheFixtureHostIsTheReviewedOutput(String flag, String expectedFile) throws Exception {
        Golden.assertMatches(FIXTURES.resolve(expectedFile), relativeTimes(runSnapshot(flag)));
    }

    /**
     * The snapshot reads the fixture at the wall clock's time: its epoch-ms fields are written relative to the
     * poll's time (every /proc row's state_since_ms is the poll's own, OBSERVED), so the golden checks their
     * offsets, e.g. a reap timer's.
     */
    static String relativeTimes(String out) {
        Matcher first = Pattern.compile("\"state_since_ms\":(\\d+)").matcher(out);
        if (!first.find()) {
            return out;
        }
        long t = Long.parseLong(first.group(1));
        return Pattern.compile("\"(state_since_ms|reap_at_ms)\":(\\d+)").matcher(out).replaceAll(m ->
                "\"" + m.group(1) + "\":\"T+" + (Long.parseLong(m.group(2)) - t) + "\"");
    }

    @Test
    void stateFilterKeepsOnlyThoseStates() throws Exception {
        String out = runSnapshot("--json", "--state", "FIN_WAIT2");
        assertThat(out.lines()).hasSize(2).allSatisfy(l -> assertThat(l).contains("\"state\":\"FIN_WAIT2\""));
        assertThat(out).contains("\"pid\":700,\"comm\":\"kube-proxy\"").contains("\"inode\":0");
    }

    private static String runSnapshot(String... flags) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            String[] args = new String[flags.length + 3];
            args[0] = "snapshot";
            args[1] = "--path.procfs";
            args[2] = FIXTURES.resolve("procfs-golden").toString();
            int i = 3;
            for (String f : flags) {
                if (f != null && !f.isBlank()) {
                    args[i++] = f;
                }
            }
            String[] used = java.util.Arrays.copyOf(args, i);
            assertThat(Cli.run(new CollectorMain(), used)).as("exit status").isZero();
        } finally {
            System.setOut(saved);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }
}
