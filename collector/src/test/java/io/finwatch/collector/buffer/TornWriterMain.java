package io.finwatch.collector.buffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Child process for the torn-record test: appends {@code count} events through {@link EventBuffer}, then starts
 * appending one more record and stops halfway through it, holding Chronicle's write lock, until it is killed.
 */
public final class TornWriterMain {
    private TornWriterMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir))) {
            for (long seq = 0; seq < count; seq++) {
                buffer.append(EventBufferTest.event(EventKind.TRANSITION, seq));
            }
        }
        SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(BufferSettings.DEFAULT_ROLL_CYCLE).build();
        ExcerptAppender appender = queue.createAppender();
        BufferedEvent next = EventBufferTest.event(EventKind.TRANSITION, count);
        ByteBuffer record = new BufferRecordCodec().encode(next, BufferRecordCodec.keyBytes(next), 0, 0, count, 0);
        DocumentContext dc = appender.writingDocument();
        dc.wire().bytes().write(record.array(), 0, record.limit() / 2);
        System.out.println("MIDWAY");
        System.out.flush();
        while (true) {
            LockSupport.park();
        }
    }
}
