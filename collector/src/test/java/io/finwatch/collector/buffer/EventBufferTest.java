package io.finwatch.collector.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventBufferTest {
    @TempDir
    Path dir;

    static BufferedEvent event(EventKind kind, long seq) {
        return new BufferedEvent(kind, seq, "host-a", ("payload-" + seq).getBytes(StandardCharsets.UTF_8));
    }

    static List<StoredEvent> drain(BufferReader reader) {
        List<StoredEvent> out = new ArrayList<>();
        for (StoredEvent e = reader.next(); e != null; e = reader.next()) {
            out.add(e);
        }
        return out;
    }

    @Test
    void readsBackEverythingAppendedInOrderWithKindKeyAndPayload() {
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            for (long seq = 0; seq < 100; seq++) {
                assertThat(buffer.append(event(seq % 10 == 0 ? EventKind.HEARTBEAT : EventKind.TRANSITION, seq)))
                        .isNotEqualTo(EventBuffer.SHED);
            }
            try (BufferReader reader = buffer.openReader("t")) {
                List<StoredEvent> read = drain(reader);
                assertThat(read).extracting(s -> s.event().seq()).containsExactlyElementsOf(range(0, 100));
                assertThat(read.get(10).event().kind()).isEqualTo(EventKind.HEARTBEAT);
                assertThat(read.get(11).event().kind()).isEqualTo(EventKind.TRANSITION);
                assertThat(read.get(42).event().key()).isEqualTo("host-a");
                assertThat(new String(read.get(42).event().payload(), StandardCharsets.UTF_8)).isEqualTo("payload-42");
                assertThat(read).extracting(StoredEvent::ordinal).containsExactlyElementsOf(range(0, 100));
            }
            BufferStats stats = buffer.stats();
            assertThat(stats.depthEvents()).isEqualTo(100);
            assertThat(stats.fileCount()).isEqualTo(1);
            assertThat(stats.corruptRecords()).isZero();
        }
    }

    @Test
    void reopenedBufferKnowsItsDepthLastSeqAndResumesAfterTheAcknowledgedEvent() {
        long depthBytes;
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            for (long seq = 0; seq < 50; seq++) {
                buffer.append(event(EventKind.TRANSITION, seq));
            }
            try (BufferReader reader = buffer.openReader("t")) {
                List<StoredEvent> read = drain(reader);
                buffer.acknowledge(read.get(19));
            }
            depthBytes = buffer.stats().depthBytes();
        }
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            assertThat(buffer.lastSeq()).isEqualTo(49);
            assertThat(buffer.stats().depthEvents()).isEqualTo(30);
            assertThat(buffer.stats().depthBytes()).isEqualTo(depthBytes);
            try (BufferReader reader = buffer.openReader("t")) {
                assertThat(drain(reader)).extracting(s -> s.event().seq()).containsExactlyElementsOf(range(20, 50));
            }
            buffer.append(event(EventKind.TRANSITION, 50));
            assertThat(buffer.stats().depthEvents()).isEqualTo(31);
        }
    }

    @Test
    void dropsNewestOverTheCapRecordsShedRangesAndLetsHeartbeatsUseTheHeadroom() {
        int recordSize = BufferRecordCodec.recordSize(
                BufferRecordCodec.encodedLength(event(EventKind.TRANSITION, 10), "host-a".getBytes()));
        BufferSettings settings = BufferSettings.defaults(dir).withMaxBytes(10L * recordSize, 2L * recordSize);
        try (EventBuffer buffer = EventBuffer.open(settings)) {
            for (long seq = 10; seq < 20; seq++) {
                assertThat(buffer.append(event(EventKind.TRANSITION, seq))).isNotEqualTo(EventBuffer.SHED);
            }
            assertThat(buffer.append(event(EventKind.TRANSITION, 20))).isEqualTo(EventBuffer.SHED);
            assertThat(buffer.append(event(EventKind.TRANSITION, 21))).isEqualTo(EventBuffer.SHED);
            assertThat(buffer.append(event(EventKind.HEARTBEAT, 22))).isNotEqualTo(EventBuffer.SHED);
            assertThat(buffer.append(event(EventKind.TRANSITION, 23))).isEqualTo(EventBuffer.SHED);
            assertThat(buffer.append(event(EventKind.HEARTBEAT, 24))).isNotEqualTo(EventBuffer.SHED);
            assertThat(buffer.append(event(EventKind.HEARTBEAT, 25))).isEqualTo(EventBuffer.SHED);

            assertThat(buffer.shedTotal()).isEqualTo(4);
            assertThat(buffer.drainShedRanges()).containsExactly(
                    new SeqRange(20, 21), new SeqRange(23, 23), new SeqRange(25, 25));
            assertThat(buffer.drainShedRanges()).isEmpty();

            try (BufferReader reader = buffer.openReader("t")) {
                List<StoredEvent> read = drain(reader);
                buffer.acknowledge(read.get(4));
            }
            for (long seq = 26; seq < 29; seq++) {
                assertThat(buffer.append(event(EventKind.TRANSITION, seq))).isNotEqualTo(EventBuffer.SHED);
            }
        }
    }

    @Test
    void refusesASecondOpenOfTheSameDirectory() {
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            assertThat(buffer.dir()).isEqualTo(dir);
            assertThatThrownBy(() -> EventBuffer.open(BufferSettings.defaults(dir)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("another live process");
        }
    }

    static List<Long> range(long from, long to) {
        List<Long> out = new ArrayList<>();
        for (long i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }
}
