package io.finwatch.collector.buffer;

import static io.finwatch.collector.buffer.EventBufferTest.drain;
import static io.finwatch.collector.buffer.EventBufferTest.event;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Epochs and first seqs as runs over one directory choose them, whatever the directory holds. */
class RunNumberingTest {
    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(1_800_000_000_000L);

    private BufferSettings settings() {
        return BufferSettings.defaults(dir).withClock(clock);
    }

    /** Appends {@code n} events numbered from the run's first seq; returns the run's epoch. */
    private long run(int n) {
        try (EventBuffer buffer = EventBuffer.open(settings())) {
            for (long s = buffer.firstSeq(); s < buffer.firstSeq() + n; s++) {
                buffer.append(event(EventKind.TRANSITION, s));
            }
            return buffer.epoch();
        }
    }

    @Test
    void eachRunTakesANewEpochAndContinuesTheNumbers() {
        long first = run(10);
        assertThat(first).as("the start time").isEqualTo(clock.millis());
        // Even with the clock standing still (or set back), what the directory remembers raises the epoch.
        long second = run(5);
        clock.advanceMillis(-60_000);
        long third;
        try (EventBuffer buffer = EventBuffer.open(settings())) {
            third = buffer.epoch();
            assertThat(buffer.firstSeq()).isEqualTo(15);
        }
        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
    }

    @Test
    void aDeletedDirectoryStartsTheNumbersAgainUnderALaterEpoch() throws IOException {
        long first = run(10);
        deleteDirectory();
        clock.advanceMillis(1);
        try (EventBuffer buffer = EventBuffer.open(settings())) {
            assertThat(buffer.firstSeq()).isZero();
            assertThat(buffer.epoch()).isGreaterThan(first);
        }
    }

    @Test
    void aDamagedPositionFileIsQuarantinedAndNumberingContinuesFromTheQueue() throws IOException {
        run(10);
        Files.write(dir.resolve(PositionFile.NAME), new byte[] {1, 2, 3});
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(settings())) {
            assertThat(buffer.firstSeq()).isEqualTo(10);
            assertThat(log.errors()).singleElement().asString().contains(PositionFile.NAME, "quarantine-");
        }
    }

    @Test
    void aDamagedRunHistoryIsQuarantinedAndTheBufferStillOpens() throws IOException {
        run(10);
        Files.writeString(dir.resolve(RunHistory.NAME), "garbage\n");
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(settings());
             BufferReader reader = buffer.openReader("t")) {
            assertThat(buffer.firstSeq()).isEqualTo(10);
            assertThat(drain(reader)).hasSize(10);
            assertThat(log.errors()).singleElement().asString().contains(RunHistory.NAME, "no CRC line");
        }
    }

    @Test
    void thePositionFileKeepsTheNumbersWhenTheNewestCycleFileIsCutShort() throws IOException {
        long epoch = run(300);
        Path cycle;
        try (Stream<Path> files = Files.list(dir)) {
            cycle = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        // Cut in the middle of record 150: the records before it survive whole.
        String head = new String(Files.readAllBytes(cycle), 0, 1 << 20, java.nio.charset.StandardCharsets.ISO_8859_1);
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(cycle.toFile(), "rw")) {
            raf.setLength(head.indexOf("payload-150"));
        }
        try (EventBuffer buffer = EventBuffer.open(settings()); BufferReader reader = buffer.openReader("t")) {
            assertThat(buffer.firstSeq()).as("after the last number used, not the last one left").isEqualTo(300);
            List<StoredEvent> left = drain(reader);
            assertThat(left).extracting(e -> e.event().seq()).containsExactlyElementsOf(EventBufferTest.range(0, 150));
            // Nothing after the cut is readable: the loss shows once the reader meets the next record.
            buffer.append(event(EventKind.HEARTBEAT, 300));
            drain(reader);
            long lastLeft = left.get(left.size() - 1).event().seq();
            assertThat(buffer.drainLostRanges()).containsExactly(
                    new LostRange(epoch, lastLeft + 1, 299, LostRange.Cause.MISSING));
        }
    }

    @Test
    void aLossAcrossRunsIsDeclaredAsEachRunNumberedIt() {
        ContinuityCheck check = new ContinuityCheck(List.of(new Run(100, 0, 9), new Run(200, 10, 14),
                new Run(300, 15, Run.UNKNOWN)), new PositionFile.Position(100, 4, 4, 40));
        assertThat(check.next(100, 5, 5)).isEmpty();
        check.damaged();
        // Ordinals 6..16 are gone: run 100's 6..9, all of run 200, run 300's 15..16.
        assertThat(check.next(300, 17, 17)).containsExactly(
                new LostRange(100, 6, 9, LostRange.Cause.CORRUPT),
                new LostRange(200, 10, 14, LostRange.Cause.CORRUPT),
                new LostRange(300, 15, 16, LostRange.Cause.CORRUPT));
        // A re-read of what was accounted for declares nothing again.
        assertThat(check.next(100, 5, 5)).isEmpty();
        assertThat(check.next(300, 18, 18)).isEmpty();
    }

    @Test
    void numbersShedAtTheCapAreNotALoss() {
        ContinuityCheck check = new ContinuityCheck(List.of(new Run(100, 0, Run.UNKNOWN)), null);
        assertThat(check.next(100, 0, 0)).isEmpty();
        // Seqs 1..50 were shed: never appended, so the ordinals go on without a gap.
        assertThat(check.next(100, 51, 1)).isEmpty();
    }

    @Test
    void aRunHistoryReadsBackAndRejectsAnEditedLine() throws Exception {
        List<Run> runs = List.of(new Run(1, Run.UNKNOWN, 9), new Run(2, 10, 19), new Run(3, 20, Run.UNKNOWN));
        RunHistory.write(dir, runs);
        assertThat(RunHistory.read(dir)).isEqualTo(runs);
        Path file = dir.resolve(RunHistory.NAME);
        Files.writeString(file, Files.readString(file).replace("2 10 19", "2 10 18"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RunHistory.read(dir))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("CRC32C mismatch");
    }

    @Test
    void aPositionSlotTornByAKillLeavesTheOtherOne() throws Exception {
        PositionFile file = PositionFile.open(dir, null);
        file.appended(new PositionFile.Position(7, 100, 50, 5_000));
        file.appended(new PositionFile.Position(7, 101, 51, 5_100));
        // The newer slot's CRC no longer matches, as when a kill lands between its fields and its CRC.
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(PositionFile.NAME),
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x55}), 64 + 16);
        }
        assertThat(PositionFile.read(dir).appended()).isEqualTo(new PositionFile.Position(7, 100, 50, 5_000));
    }

    private void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!f.equals(dir)) {
                    Files.delete(f);
                }
            }
        }
    }
}
