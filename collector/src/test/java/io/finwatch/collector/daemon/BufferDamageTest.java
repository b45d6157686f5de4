package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.schemas.LossCause;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real collector, killed with kill -9, its buffer directory then damaged the ways a crash, a full disk or an
 * operator leave it, and restarted under socket churn against a real broker: it always comes up, and an
 * independent reader of both topics finds no (collector_id, epoch, seq) naming two events and no gap that a
 * heartbeat does not declare.
 */
class BufferDamageTest {
    @TempDir
    Path dir;

    private CollectorHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = CollectorHarness.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private Path newestCycleFile() throws IOException {
        try (Stream<Path> files = Files.list(harness.bufferDir)) {
            return files.filter(p -> p.toString().endsWith(".cq4")).max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    /** Where the written part of a cycle file ends: after its last nonzero byte (the rest is sparse). */
    private static long dataEnd(Path file) throws IOException {
        long end = 0;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] chunk = new byte[1 << 20];
            for (long at = 0; at < raf.length(); at += chunk.length) {
                raf.seek(at);
                int n = raf.read(chunk);
                for (int i = n - 1; i >= 0; i--) {
                    if (chunk[i] != 0) {
                        end = at + i + 1;
                        break;
                    }
                }
            }
        }
        return end;
    }

    private void awaitOwnHeartbeatsAcknowledged(double atLeast) {
        await().atMost(Duration.ofSeconds(60)).until(() -> harness.metric("finwatch_publish_acknowledged_total") >= atLeast);
    }

    @Test
    void truncatedNewestFileThenRestartUnderChurnReusesNoNumberAndDeclaresWhatWasLost() throws Exception {
        harness.startCollector();
        harness.awaitHealthy();
        awaitOwnHeartbeatsAcknowledged(30);
        harness.kafka.stopBroker();
        double acked = harness.metric("finwatch_publish_acknowledged_total");
        // Most of the file is events Kafka never acknowledged, so cutting it in half loses some of them.
        await().atMost(Duration.ofSeconds(90)).until(() -> harness.metric("finwatch_buffer_depth_events") > 4 * acked + 200);
        Process first = harness.startedCollector();
        first.destroyForcibly().waitFor(); // kill -9

        Path cycle = newestCycleFile();
        long end = dataEnd(cycle);
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw")) {
            raf.setLength(end / 2);
        }
        harness.kafka.startBroker();
        harness.startCollector();
        harness.awaitHealthy();

        SeqAudit audit = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                .until(harness::audit, a -> a.undeclaredGaps().isEmpty() && a.declaredLost() > 0 && a.seen.size() == 2
                        && a.seen.values().stream().allMatch(s -> s.size() > 20));
        assertThat(audit.clashes).as("%s", audit).isEmpty();
        // The position file survived the cut, so numbering went on past every number the first run used.
        assertThat(audit.seqsInSeveralRuns()).as("%s", audit).isZero();
        assertThat(audit.lost.values()).allSatisfy(causes -> assertThat(causes.values()).containsOnly(LossCause.BUFFER_MISSING));
        assertThat(Files.readString(harness.log)).contains("quarantine-").contains(cycle.getFileName().toString());
    }

    @Test
    void aGarbageCycleFileNeverStopsAStartFiveTimesInARow() throws Exception {
        harness.startCollector();
        harness.awaitHealthy();
        awaitOwnHeartbeatsAcknowledged(10);
        harness.startedCollector().destroyForcibly().waitFor();
        Random random = new Random(42);
        for (int start = 1; start <= 5; start++) {
            Path cycle = newestCycleFile();
            byte[] garbage = new byte[256 << 10];
            random.nextBytes(garbage);
            // A finished header word that is not metadata: Chronicle's "Unexpected magic number".
            ByteBuffer.wrap(garbage).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x0e29952b);
            Files.write(cycle, garbage);

            harness.startCollector();
            harness.awaitHealthy();
            awaitOwnHeartbeatsAcknowledged(5);
            assertThat(Files.readString(harness.log)).as("start %d", start).contains("ERROR")
                    .contains(cycle.toString()).contains("not a finished header");
            harness.startedCollector().destroyForcibly().waitFor();
        }
        try (Stream<Path> quarantined = Files.walk(harness.bufferDir)) {
            assertThat(quarantined.filter(p -> p.getParent().getFileName().toString().startsWith("quarantine-")
                    && p.toString().endsWith(".cq4"))).hasSize(5);
        }
        SeqAudit audit = await().atMost(Duration.ofSeconds(30)).until(harness::audit, a -> a.undeclaredGaps().isEmpty());
        assertThat(audit.clashes).as("%s", audit).isEmpty();
        assertThat(audit.seen).hasSize(6);
    }

    @Test
    void aDeletedBufferDirectoryUnderTheSameCollectorIdReusesNoIdentity() throws Exception {
        harness.startCollector();
        harness.awaitHealthy();
        awaitOwnHeartbeatsAcknowledged(20);
        harness.startedCollector().destroyForcibly().waitFor();
        try (Stream<Path> files = Files.walk(harness.bufferDir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
        harness.startCollector();
        harness.awaitHealthy();
        awaitOwnHeartbeatsAcknowledged(20);

        SeqAudit audit = harness.audit();
        assertThat(audit.seen.keySet()).as("one collector id, two runs").hasSize(2)
                .extracting(SeqAudit.RunKey::collectorId).containsOnly(audit.seen.keySet().iterator().next().collectorId());
        // Nothing remembered the numbers, so they start again at 0: only the epoch tells the runs apart.
        assertThat(audit.seqsInSeveralRuns()).isPositive();
        assertThat(audit.clashes).as("%s", audit).isEmpty();
        assertThat(audit.undeclaredGaps()).isEmpty();
        List<Long> epochs = audit.seen.keySet().stream().map(SeqAudit.RunKey::epoch).toList();
        assertThat(epochs.get(1)).isGreaterThan(epochs.get(0));
    }
}
