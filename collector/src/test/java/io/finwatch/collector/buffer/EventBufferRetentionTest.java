package io.finwatch.collector.buffer;

import static io.finwatch.collector.buffer.EventBufferTest.drain;
import static io.finwatch.collector.buffer.EventBufferTest.event;
import static io.finwatch.collector.buffer.EventBufferTest.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBufferRetentionTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);

    private BufferSettings settings() {
        // One-second cycles driven by the test clock: three cycle files without waiting three seconds.
        return BufferSettings.defaults(dir).withRollCycle(TestRollCycles.TEST_SECONDLY).withClock(clock);
    }

    private List<Path> cycleFilePaths() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private long cycleFiles() throws IOException {
        return cycleFilePaths().size();
    }

    /** {@code cycles} cycle files of one event each, by a buffer closed again. */
    private void writeCycles(int cycles) {
        try (EventBuffer buffer = EventBuffer.open(settings())) {
            for (int cycle = 0; cycle < cycles; cycle++) {
                buffer.append(event(EventKind.TRANSITION, cycle));
                clock.advanceMillis(1_000);
            }
        }
    }

    @Test
    void deletesCycleFilesOnceEveryEventInThemIsAcknowledgedButNeverTheNewest() throws IOException {
        try (EventBuffer buffer = EventBuffer.open(settings())) {
            for (int cycle = 0; cycle < 3; cycle++) {
                for (int i = 0; i < 10; i++) {
                    buffer.append(event(EventKind.TRANSITION, cycle * 10L + i));
                }
                clock.advanceMillis(1_000);
            }
            assertThat(cycleFiles()).isEqualTo(3);
            assertThat(buffer.stats().fileCount()).isEqualTo(3);
            try (BufferReader reader = buffer.openReader("t")) {
                List<StoredEvent> read = drain(reader);
                assertThat(read).hasSize(30);

                buffer.acknowledge(read.get(9));
                assertThat(cycleFiles()).as("ack point still in the first file").isEqualTo(3);

                buffer.acknowledge(read.get(14));
                // Deleted by the sweep, or by the release callback if Chronicle still had the file mapped.
                await().atMost(Duration.ofSeconds(10)).until(() -> cycleFiles() == 2);
                assertThat(buffer.stats().fileCount()).isEqualTo(2);
                assertThat(buffer.stats().depthEvents()).isEqualTo(15);

                buffer.acknowledge(read.get(29));
                // The reader has just moved off the second file; Chronicle releases it in the background and the
                // release callback deletes it. The newest file stays even though it is fully acknowledged.
                await().atMost(Duration.ofSeconds(10)).until(() -> cycleFiles() == 1);
                assertThat(buffer.stats().fileCount()).isEqualTo(1);
                assertThat(buffer.stats().depthEvents()).isZero();

                buffer.append(event(EventKind.TRANSITION, 30));
                assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactly(30L);
            }
        }
        try (EventBuffer reopened = EventBuffer.open(settings());
             BufferReader reader = reopened.openReader("t")) {
            assertThat(reopened.stats().fileCount()).isEqualTo(2);
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactly(30L);
        }
    }

    @Test
    void deletesFilesLeftOverFromBeforeARestart() throws IOException {
        writeCycles(4);
        assertThat(cycleFiles()).isEqualTo(4);
        try (EventBuffer buffer = EventBuffer.open(settings());
             BufferReader reader = buffer.openReader("t")) {
            List<StoredEvent> read = drain(reader);
            assertThat(read).extracting(s -> s.event().seq()).containsExactlyElementsOf(range(0, 4));
            buffer.acknowledge(read.get(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> cycleFiles() == 1);
        }
    }
    @Test
    void deletesAcknowledgedFilesAcrossCyclesInWhichNothingWasWritten() throws IOException {
        // The collector was stopped for a while: no file exists for the cycles between its runs. Its last event
        // was acknowledged, so the next run never maps the old file: only the sweep can delete it.
        try (EventBuffer buffer = EventBuffer.open(settings());
             BufferReader reader = buffer.openReader("t")) {
            buffer.append(event(EventKind.TRANSITION, 0));
            buffer.acknowledge(drain(reader).get(0));
        }
        clock.advanceMillis(5_000);
        try (EventBuffer buffer = EventBuffer.open(settings());
             BufferReader reader = buffer.openReader("t")) {
            buffer.append(event(EventKind.TRANSITION, 1));
            clock.advanceMillis(5_000);
            buffer.append(event(EventKind.TRANSITION, 2));
            assertThat(buffer.stats().fileCount()).isEqualTo(3);
            List<StoredEvent> read = drain(reader);
            assertThat(read).extracting(s -> s.event().seq()).containsExactly(1L, 2L);

            buffer.acknowledge(read.get(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> cycleFiles() == 1);
            assertThat(buffer.stats().fileCount()).isEqualTo(1);
            assertThat(buffer.retentionFailures()).isZero();
        }
    }

    @Test
    void aCycleFileDeletedBehindTheQueuesBackDoesNotStopRetention() throws IOException {
        writeCycles(3);
        Path first = cycleFilePaths().get(0);
        try (EventBuffer buffer = EventBuffer.open(settings());
             BufferReader reader = buffer.openReader("t")) {
            List<StoredEvent> read = drain(reader);
            assertThat(read).hasSize(3);
            // An operator removes the oldest file while the queue's listing still names it.
            Files.delete(first);
            buffer.append(event(EventKind.TRANSITION, 3));
            read = drain(reader);
            buffer.acknowledge(read.get(read.size() - 1));
            await().atMost(Duration.ofSeconds(10)).until(() -> cycleFiles() == 1);
            assertThat(buffer.stats().fileCount()).isEqualTo(1);
            assertThat(buffer.retentionFailures()).isZero();
        }
    }
}
