package io.finwatch.streams.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.finwatch.common.http.HttpLimits;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.RunningDetector;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the detector writes reaches the broker's log in lz4 batches: its changelogs, the pairing repartition topic
 * and the host directory. Read from the broker's own segment files, so it is what the broker keeps and replicates,
 * whatever a client reports. The test's producer, which compresses nothing, shows that the check tells them apart.
 */
class CompressedWritesTest {

    @TempDir
    Path work;

    private final CollectorRun run = new CollectorRun("node-z", "node-z-run", Instant.now().truncatedTo(ChronoUnit.MILLIS), 1000, 3600);

    @Test
    void theDetectorsOwnTopicsAreWrittenInLz4Batches() {
        try (RunningDetector det = RunningDetector.start(work.resolve("state"), null, HttpLimits.api(), 1)) {
            List<SpecificRecord> events = new ArrayList<>();
            events.add(run.heartbeat());
            Proc leaker = new Proc(10, "leaker", null);
            for (int port = 40001; port <= 40020; port++) {
                events.add(run.attached(run.socket(port), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, leaker));
            }
            det.send(events);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                Map<String, Set<CompressionType>> byTopic = compressionByTopic(det.logDirs());
                assertThat(byTopic).as("input written by the test's uncompressed producer")
                        .containsEntry("ui.transitions", EnumSet.of(CompressionType.NONE));
                assertThat(byTopic).as("the pairing path").containsEntry("ui.pairing", EnumSet.of(CompressionType.LZ4));
                assertThat(byTopic.keySet()).as("changelogs written").anyMatch(t -> t.endsWith("-changelog"));
                byTopic.forEach((topic, types) -> {
                    if (!topic.equals("ui.transitions") && !topic.equals("ui.heartbeats") && !topic.startsWith("__")) {
                        assertThat(types).as(topic).containsExactly(CompressionType.LZ4);
                    }
                });
            });
        }
    }

    /**
     * The compression types of each topic's data batches; control batches (transaction markers) are never
     * compressed and are left out.
     */
    private static Map<String, Set<CompressionType>> compressionByTopic(List<Path> logDirs) throws IOException {
        Map<String, Set<CompressionType>> out = new TreeMap<>();
        for (Path dir : logDirs) {
            try (Stream<Path> partitions = Files.list(dir)) {
                for (Path partition : partitions.filter(Files::isDirectory).toList()) {
                    String name = partition.getFileName().toString();
                    int dash = name.lastIndexOf('-');
                    if (dash < 0 || !name.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    String topic = name.substring(0, dash);
                    try (Stream<Path> files = Files.list(partition)) {
                        for (Path segment : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                            readBatches(segment, topic, out);
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Reads a copy of the segment: the broker may be appending to it, and a batch cut off at the copy's end is not
     * returned. (FileRecords would truncate the broker's file to the size it saw when closed.)
     */
    private static void readBatches(Path segment, String topic, Map<String, Set<CompressionType>> out) throws IOException {
        for (RecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment))).batches()) {
            if (!batch.isControlBatch()) {
                out.computeIfAbsent(topic, t -> EnumSet.noneOf(CompressionType.class)).add(batch.compressionType());
            }
        }
    }
}
