package io.finwatch.streams.decode;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of a dead-letter record: where the original came from and why it was rejected. The record keeps
 * the original key, value (the undecodable bytes, untouched), timestamp and headers.
 */
public final class DeadLetters {

    public static final String ORIGIN_TOPIC = "finwatch.dlq.origin.topic";
    public static final String ORIGIN_PARTITION = "finwatch.dlq.origin.partition";
    public static final String ORIGIN_OFFSET = "finwatch.dlq.origin.offset";
    public static final String ERROR = "finwatch.dlq.error";
    public static final String ERROR_CLASS = "finwatch.dlq.error.class";

    private DeadLetters() {
    }

    /** The original headers plus the origin and the error, all UTF-8 text. */
    public static Headers headers(Headers original, String topic, int partition, long offset, Exception error) {
        Headers h = new RecordHeaders(original.toArray());
        h.add(ORIGIN_TOPIC, utf8(topic));
        h.add(ORIGIN_PARTITION, utf8(Integer.toString(partition)));
        h.add(ORIGIN_OFFSET, utf8(Long.toString(offset)));
        h.add(ERROR, utf8(String.valueOf(error.getMessage())));
        h.add(ERROR_CLASS, utf8(error.getClass().getSimpleName()));
        return h;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
