package io.finwatch.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import io.finwatch.collector.buffer.ChildJvm;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.testkit.EmbeddedKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The collector process is kill -9'd repeatedly while appending and publishing; nothing may go missing. */
class KafkaPublisherCrashTest {
    static EmbeddedKafka kafka;

    @TempDir
    Path dir;

    /** Kept when the test fails: the child's log is the first thing to read then. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path logs;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    private Process child(PublisherSettings settings, Path stderr, String mode, long count) throws IOException {
        return ChildJvm.start(CollectorProcessMain.class, stderr, dir.toString(), kafka.bootstrapServers(),
                settings.topics().get(EventKind.TRANSITION), settings.topics().get(EventKind.HEARTBEAT), mode,
                Long.toString(count));
    }

    @Test
    void noSeqIsLostAcrossRepeatedKillNineOfTheCollector() throws Exception {
        PublisherSettings settings = KafkaPublisherTest.settings(kafka, 1);
        Path stderr = logs.resolve("collector-child.log");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int round = 0; round < 4; round++) {
            Process p = child(settings, stderr, "run", 0);
            int lines = 1 + random.nextInt(8);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (int i = 0; i < lines; i++) {
                    assertThat(out.readLine()).as("seed %d, child log %s", seed, stderr).startsWith("APPENDED");
                }
            } finally {
                p.destroyForcibly(); // SIGKILL
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        Process last = child(settings, stderr, "finish", 300);
        String tail;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(last.getInputStream(),
                StandardCharsets.UTF_8))) {
            List<String> lines = out.lines().toList();
            tail = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as("child log %s", stderr).isZero();
        assertThat(tail).isEqualTo("DONE");

        TreeSet<Long> seqs = Published.seqs(Published.all(
                kafka.consumeAll(settings.topics().values().toArray(String[]::new))));
        assertThat(seqs.first()).isZero();
        assertThat(seqs).as("no gap (seed %d, child log %s)", seed, stderr).hasSize((int) (seqs.last() + 1));
        assertThat(seqs.last()).isGreaterThanOrEqualTo(300);
    }
}
