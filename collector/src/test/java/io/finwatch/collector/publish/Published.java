package io.finwatch.collector.publish;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** A record as the publisher put it on a topic, decoded for assertions. */
record Published(String topic, int partition, String key, long seq, String payload) {
    static Published of(ConsumerRecord<byte[], byte[]> r) {
        Header h = r.headers().lastHeader(KafkaPublisher.SEQ_HEADER);
        return new Published(r.topic(), r.partition(), new String(r.key(), StandardCharsets.UTF_8),
                ByteBuffer.wrap(h.value()).getLong(), new String(r.value(), StandardCharsets.UTF_8));
    }

    static List<Published> all(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(Published::of).collect(Collectors.toList());
    }

    static TreeSet<Long> seqs(List<Published> records) {
        return records.stream().map(Published::seq).collect(Collectors.toCollection(TreeSet::new));
    }
}
