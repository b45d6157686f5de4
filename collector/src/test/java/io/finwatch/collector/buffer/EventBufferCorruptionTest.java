package io.finwatch.collector.buffer;

import static io.finwatch.collector.buffer.EventBufferTest.drain;
import static io.finwatch.collector.buffer.EventBufferTest.event;
import static io.finwatch.collector.buffer.EventBufferTest.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

class EventBufferCorruptionTest {
    @TempDir
    Path dir;

    /** Kept when a test fails: the child's log is the first thing to read then. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path logs;

    private Path cycleFile() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
    }

    /** Position of {@code text} in the first MiB of {@code file}, where a small queue's records are. */
    private static long find(Path file, String text) throws IOException {
        byte[] head = new byte[1 << 20];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.readFully(head);
        }
        String haystack = new String(head, StandardCharsets.ISO_8859_1);
        long at = haystack.indexOf(text);
        assertThat(at).as("%s in %s", text, file).isNotNegative();
        return at;
    }

    private static void flip(Path file, long position, int bits) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.readByte();
            raf.seek(position);
            raf.write(b ^ bits);
        }
    }

    @Test
    void aFlippedPayloadByteIsReportedWithFileAndIndexSkippedAndCounted() throws IOException {
        long damagedIndex = EventBuffer.NO_INDEX;
        long epoch;
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            epoch = buffer.epoch();
            for (long seq = 0; seq < 20; seq++) {
                long index = buffer.append(event(EventKind.TRANSITION, seq));
                if (seq == 7) {
                    damagedIndex = index;
                }
            }
        }
        Path file = cycleFile();
        long at = find(file, "payload-7");
        flip(file, at + 3, 0x20);
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             BufferReader reader = buffer.openReader("t")) {
            assertThat(drain(reader)).extracting(s -> s.event().seq())
                    .containsExactlyElementsOf(range(0, 20).stream().filter(s -> s != 7).toList());
            assertThat(buffer.corruptRecords()).isEqualTo(1);
            assertThat(buffer.stats().corruptRecords()).isEqualTo(1);
            assertThat(log.errors()).first().asString()
                    .contains(dir.toString(), file.getFileName().toString(), "0x" + Long.toHexString(damagedIndex),
                            "CRC32C mismatch");
            // The number it carried is declared lost, as the run that numbered it, once the reader is past it.
            assertThat(buffer.drainLostRanges()).containsExactly(new LostRange(epoch, 7, 7, LostRange.Cause.CORRUPT));
            assertThat(buffer.lostTotal()).isEqualTo(1);

            buffer.append(event(EventKind.TRANSITION, 20));
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactly(20L);
        }
    }

    @Test
    void aRecordTornByKillingTheWriterMidAppendIsReportedOnceAndAppendingCarriesOn() throws Exception {
        Path stderr = logs.resolve("torn-writer.log");
        Process child = ChildJvm.start(TornWriterMain.class, stderr, dir.toString(), "10");
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as("child stderr in %s", stderr).isEqualTo("MIDWAY");
        } finally {
            child.destroyForcibly(); // SIGKILL: nothing of the child's cleanup runs
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        String fileName = cycleFile().getFileName().toString();

        long tornIndex;
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             BufferReader reader = buffer.openReader("t")) {
            assertThat(buffer.corruptRecords()).isEqualTo(1);
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactlyElementsOf(range(0, 10));
            assertThat(buffer.lastSeq()).isEqualTo(9);
            tornIndex = buffer.append(event(EventKind.TRANSITION, 10));
            assertThat(log.errors()).singleElement().asString()
                    .contains(dir.toString(), fileName, "0x" + Long.toHexString(tornIndex), "torn record");
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactly(10L);
        }
        // The next start finds a clean queue: no second report, no crash loop.
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             BufferReader reader = buffer.openReader("t")) {
            assertThat(buffer.corruptRecords()).isZero();
            assertThat(log.errors()).isEmpty();
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactlyElementsOf(range(0, 11));
        }
    }

    @Test
    void aQueueThatCannotBeOpenedIsMovedAsideInsteadOfFailingEveryRestart() throws IOException {
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            buffer.append(event(EventKind.TRANSITION, 0));
        }
        Path metadata = dir.resolve("metadata.cq4t");
        byte[] garbage = new byte[100];
        java.util.Arrays.fill(garbage, (byte) 0x5A);
        Files.write(metadata, garbage);

        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            assertThat(buffer.append(event(EventKind.TRANSITION, 1))).isNotEqualTo(EventBuffer.SHED);
            assertThat(log.errors()).singleElement().asString().contains(dir.toString(), "quarantine-");
        }
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("quarantine-"));
        }
    }

    /** Gives the length word of record {@code seq} the "not complete" bit, as if a writer had died inside it. */
    private static void breakHeaderOf(Path file, long seq) throws IOException {
        // The length word sits 4 bytes before the record's magic byte.
        long magic = find(file, "payload-" + seq) - (2 + 8 * 5 + 4 + "host-a".length() + 4);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(magic);
            assertThat(raf.readByte()).isEqualTo(BufferRecordCodec.MAGIC);
        }
        flip(file, magic - 1, 0x80);
    }

    private static java.util.List<Long> readAll(BufferReader reader, MutableClock clock, int expected) {
        java.util.List<Long> seqs = new java.util.ArrayList<>();
        for (int poll = 0; poll < 1_000 && seqs.size() < expected; poll++) {
            StoredEvent e = reader.next();
            if (e != null) {
                seqs.add(e.event().seq());
            } else {
                clock.advanceMillis(100);
            }
        }
        return seqs;
    }

    @Test
    void aDamagedExcerptHeaderInTheNewestFileIsQuarantinedAndEveryOtherRecordKept() throws IOException {
        MutableClock clock = new MutableClock(System.currentTimeMillis());
        BufferSettings settings = BufferSettings.defaults(dir).withClock(clock);
        long epoch;
        try (EventBuffer buffer = EventBuffer.open(settings)) {
            epoch = buffer.epoch();
            for (long seq = 0; seq < 600; seq++) {
                buffer.append(event(EventKind.TRANSITION, seq));
            }
        }
        Path file = cycleFile();
        breakHeaderOf(file, 7);
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(settings);
             BufferReader reader = buffer.openReader("t")) {
            assertThat(log.errors()).singleElement().asString().contains(file.toString(), "quarantine-",
                    "unfinished excerpt header");
            assertThat(readAll(reader, clock, 599)).containsExactlyElementsOf(
                    range(0, 600).stream().filter(s -> s != 7).toList());
            assertThat(buffer.drainLostRanges()).containsExactly(new LostRange(epoch, 7, 7, LostRange.Cause.MISSING));
            // The copy is whole: the next start finds nothing to rescue.
            assertThat(buffer.append(event(EventKind.TRANSITION, 600))).isNotEqualTo(EventBuffer.SHED);
        }
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(settings)) {
            assertThat(log.errors()).isEmpty();
            assertThat(buffer.firstSeq()).isEqualTo(601);
        }
    }

    @Test
    void aDamagedExcerptHeaderInAnOlderFileIsSteppedOverAndItsNumbersDeclared() throws IOException {
        MutableClock clock = new MutableClock(System.currentTimeMillis());
        BufferSettings settings = BufferSettings.defaults(dir).withClock(clock);
        long epoch;
        try (EventBuffer buffer = EventBuffer.open(settings)) {
            epoch = buffer.epoch();
            for (long seq = 0; seq < 600; seq++) {
                buffer.append(event(EventKind.TRANSITION, seq));
            }
            clock.advanceMillis(java.time.Duration.ofMinutes(5).toMillis());
            buffer.append(event(EventKind.TRANSITION, 600));
        }
        Path older;
        try (Stream<Path> files = Files.list(dir)) {
            older = files.filter(f -> f.toString().endsWith(".cq4")).sorted().findFirst().orElseThrow();
        }
        breakHeaderOf(older, 7);
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(settings);
             BufferReader reader = buffer.openReader("t")) {
            java.util.List<Long> seqs = readAll(reader, clock, 601);
            assertThat(seqs).startsWith(0L, 1L, 2L, 3L, 4L, 5L, 6L).endsWith(599L, 600L);
            long lost = 601 - seqs.size();
            assertThat(lost).isBetween(1L, 256L);
            assertThat(buffer.corruptRecords()).isEqualTo(lost);
            // Exactly the numbers the reader did not return, as damage.
            assertThat(buffer.drainLostRanges()).containsExactly(new LostRange(epoch, 7, 6 + lost,
                    LostRange.Cause.CORRUPT));
            assertThat(log.errors()).isNotEmpty().allSatisfy(m -> assertThat(m).contains(dir.toString()));
        }
    }
}
