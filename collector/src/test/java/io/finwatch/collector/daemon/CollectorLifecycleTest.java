package io.finwatch.collector.daemon;

import static io.finwatch.collector.daemon.CollectorHarness.missing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.testkit.EmbeddedKafka;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clean stops and damaged buffer files, with the real collector process. */
class CollectorLifecycleTest {
    @TempDir
    Path dir;

    private EmbeddedKafka kafka;
    private CollectorHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = CollectorHarness.start(dir);
        kafka = harness.kafka;
    }

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static long heartbeatsPast(List<SpecificRecord> events, long seq) {
        return events.stream().filter(e -> e instanceof CollectorHeartbeat h && h.getSeq() > seq).count();
    }

    @Test
    void sigtermFlushesAndExitsAndARestartSendsNothingTwice() throws Exception {
        Process first = harness.startCollector();
        harness.awaitHealthy();
        await().atMost(Duration.ofSeconds(30)).until(() -> heartbeatsPast(harness.events(), 20) > 0);

        first.destroy(); // SIGTERM
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("collector exits on SIGTERM").isTrue();
        assertThat(Files.readString(harness.log)).contains("collector stopped");

        List<SpecificRecord> afterStop = harness.events();
        long lastBeforeRestart = afterStop.stream().mapToLong(CollectorHarness::seq).max().orElseThrow();
        harness.startCollector();
        harness.awaitHealthy();
        List<SpecificRecord> events = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(harness::events, ev -> missing(ev).isEmpty() && heartbeatsPast(ev, lastBeforeRestart + 10) > 0);
        Set<Long> seen = new HashSet<>();
        List<Long> duplicates = events.stream().map(CollectorHarness::seq).filter(s -> !seen.add(s)).toList();
        assertThat(duplicates).as("a clean stop leaves nothing to resend").isEmpty();

        // Heartbeats travel in the host's transitions partition, each after the transitions of the poll it closes:
        // the detector reads them in that order without waiting across topics.
        assertThat(kafka.consumeAll(CollectorHarness.HEARTBEATS)).as("nothing on the earlier releases' heartbeats topic").isEmpty();
        Map<Integer, List<SpecificRecord>> byPartition = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.consumeAll(CollectorHarness.TRANSITIONS)) {
            byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(FinwatchSerde.shared().decodeAny(r.value()));
        }
        assertThat(byPartition).as("one host, one partition").hasSize(1);
        List<SpecificRecord> partition = byPartition.values().iterator().next();
        // The collector is still running: the partition holds at least what was read above.
        assertThat(partition).hasSizeGreaterThanOrEqualTo(events.size()).anyMatch(e -> e instanceof CollectorHeartbeat);
        assertThat(partition.stream().map(CollectorHarness::seq).toList()).as("seq order is the partition's order").isSorted();
    }

    @Test
    void damagedBufferFilesAreReportedCountedAndSkippedWithoutACrashLoop() throws Exception {
        kafka.stopBroker(); // keep events unacknowledged in the buffer
        Process first = harness.startCollector();
        harness.awaitHealthy();
        // Enough records (about 230 bytes each) that the damage below lands in five different ones.
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.metric("finwatch_buffer_depth_events") > 2000);
        first.destroyForcibly().waitFor(); // kill -9

        Path cycle;
        try (Stream<Path> files = Files.list(harness.bufferDir)) {
            // The one holding most records: a run that crosses a five-minute boundary has two cycle files (Chronicle
            // maps each at a fixed size, so their lengths say nothing).
            cycle = files.filter(p -> p.toString().endsWith(".cq4")).max(Comparator.comparingInt(p -> occurrences(p, "churnhost")))
                    .orElseThrow();
        }
        int damaged = flipBytesInsideRecords(cycle, "churnhost", 5);
        assertThat(damaged).isEqualTo(5);

        kafka.startBroker();
        harness.startCollector();
        harness.awaitHealthy();
        await().atMost(Duration.ofSeconds(30)).until(() -> harness.metric("finwatch_buffer_corrupt_records_total") >= 1);
        String log = Files.readString(harness.log);
        assertThat(log).contains("ERROR").contains(cycle.getFileName().toString());
        // It keeps running and publishing: new heartbeats arrive after the damaged stretch.
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.metric("finwatch_publish_acknowledged_total") > 200);
        assertThat(harness.httpGet("/healthz").status()).isEqualTo(200);
        // The numbers the damaged records carried are declared, as damage to the buffer, with the run that numbered
        // them: a consumer of both topics finds no gap it cannot explain.
        SeqAudit audit = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(harness::audit, a -> a.undeclaredGaps().isEmpty() && a.declaredLost() >= damaged);
        assertThat(audit.clashes).as("%s", audit).isEmpty();
        assertThat(audit.declaredLost()).as("%s", audit).isEqualTo(damaged);
        assertThat(audit.lost.values()).allSatisfy(causes ->
                assertThat(causes.values()).containsOnly(io.finwatch.schemas.LossCause.BUFFER_CORRUPT));
        assertThat(harness.metric("finwatch_buffer_lost_events_total")).isEqualTo(damaged);
    }

    /** Flips one byte just after each of the first {@code count} occurrences of {@code text} past the first 64 KiB. */
    private static int flipBytesInsideRecords(Path file, String text, int count) throws Exception {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        int flipped = 0;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] data = head(raf);
            for (int i = 64 << 10; i < data.length - needle.length && flipped < count; i++) {
                if (matches(data, i, needle)) {
                    raf.seek(i + needle.length + 2);
                    raf.write(data[i + needle.length + 2] ^ 0x5A);
                    flipped++;
                    i += 4096;
                }
            }
        }
        return flipped;
    }

    private static int occurrences(Path file, String text) {
        byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] data = head(raf);
            int n = 0;
            for (int i = 0; i < data.length - needle.length; i++) {
                n += matches(data, i, needle) ? 1 : 0;
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first 8 MiB of a cycle file: the records a test writes, not the rest of its fixed-size mapping. */
    private static byte[] head(RandomAccessFile raf) throws IOException {
        byte[] data = new byte[(int) Math.min(raf.length(), 8 << 20)];
        raf.readFully(data);
        return data;
    }

    private static boolean matches(byte[] data, int at, byte[] needle) {
        for (int j = 0; j < needle.length; j++) {
            if (data[at + j] != needle[j]) {
                return false;
            }
        }
        return true;
    }
}
