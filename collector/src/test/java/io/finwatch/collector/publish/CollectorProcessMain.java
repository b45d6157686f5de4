package io.finwatch.collector.publish;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.EventKind;

/**
 * Child process for the kill -9 test: the collector's buffer+publisher pair, appending a seq stream that
 * continues after the last seq in the buffer. Prints {@code APPENDED <seq>} every 100 events.
 *
 * <p>Args: dir bootstrap transitionsTopic heartbeatsTopic mode count. Mode {@code run} appends forever (until
 * killed); {@code finish} appends {@code count} more events, waits until Kafka acknowledged everything, closes
 * cleanly and prints {@code DONE}.
 */
public final class CollectorProcessMain {
    private CollectorProcessMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Map<EventKind, String> topics = new EnumMap<>(EventKind.class);
        topics.put(EventKind.TRANSITION, args[2]);
        topics.put(EventKind.HEARTBEAT, args[3]);
        boolean finish = args[4].equals("finish");
        long count = Long.parseLong(args[5]);
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir));
             KafkaPublisher publisher = new KafkaPublisher(buffer,
                     PublisherSettings.defaults(args[1]).withTopics(topics))) {
            publisher.start();
            long first = buffer.lastSeq() + 1;
            for (long seq = first; !finish || seq < first + count; seq++) {
                EventKind kind = seq % 10 == 0 ? EventKind.HEARTBEAT : EventKind.TRANSITION;
                buffer.append(new BufferedEvent(kind, seq, "host-a", ("event-" + seq).getBytes(StandardCharsets.UTF_8)));
                if (seq % 100 == 0) {
                    System.out.println("APPENDED " + seq);
                    System.out.flush();
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
            }
            while (buffer.stats().depthEvents() > 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        System.out.println("DONE");
    }
}
