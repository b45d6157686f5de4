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
import org.junit.jupiter.api.io.TempDir;

class EventBufferCorruptionTest {
    @TempDir
    Path dir;

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

    @Test
    void aFlippedPayloadByteIsReportedWithFileAndIndexSkippedAndCounted() throws IOException {
        long damagedIndex;
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            long index = 0;
            for (long seq = 0; seq < 20; seq++) {
                index = buffer.append(event(EventKind.TRANSITION, seq));
                if (seq == 7) {
                    damagedIndex = index;
                }
            }
            damagedIndex = index - 12;
        }
        Path file = cycleFile();
        long at = find(file, "payload-7");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at + 3);
            raf.write(raf.readByte() ^ 0x20);
        }
        try (LogCapture log = new LogCapture("io.finwatch.collector.buffer");
             EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             BufferReader reader = buffer.openReader("t")) {
            assertThat(drain(reader)).extracting(s -> s.event().seq())
                    .containsExactlyElementsOf(range(0, 20).stream().filter(s -> s != 7).toList());
            assertThat(buffer.corruptRecords()).isEqualTo(1);
            assertThat(buffer.stats().corruptRecords()).isEqualTo(1);
            assertThat(log.errors()).singleElement().asString()
                    .contains(dir.toString(), file.getFileName().toString(), "0x" + Long.toHexString(damagedIndex),
                            "CRC32C mismatch");

            buffer.append(event(EventKind.TRANSITION, 20));
            assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactly(20L);
        }
    }

    @Test
    void aRecordTornByKillingTheWriterMidAppendIsReportedOnceAndAppendingCarriesOn() throws Exception {
        Path stderr = Files.createTempFile("torn-writer", ".log");
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
}
