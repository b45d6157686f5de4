package io.finwatch.streams.app;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka Streams names a state store metric's store by a tag whose key depends on the store's type
 * ({@code rocksdb-state-id}, {@code rocksdb-window-state-id}, {@code in-memory-state-id}...). Prometheus needs one
 * set of tag keys per metric name, so the registry refused every type but the first with a "meter registration
 * failed" warning at each start, and their values were lost. Here every such key becomes {@code state.id}, with the
 * type kept as {@code store.type}.
 */
final class StoreMetricTags {

    private static final String SUFFIX = "state.id";

    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            if (!id.getName().startsWith("kafka.stream.state")) {
                return id;
            }
            List<Tag> tags = new ArrayList<>();
            boolean changed = false;
            for (Tag t : id.getTagsAsIterable()) {
                if (t.getKey().endsWith(SUFFIX) && !t.getKey().equals(SUFFIX)) {
                    tags.add(Tag.of(SUFFIX, t.getValue()));
                    tags.add(Tag.of("store.type", t.getKey().substring(0, t.getKey().length() - SUFFIX.length()).replaceAll("[.-]$", "")));
                    changed = true;
                } else {
                    tags.add(t);
                }
            }
            return changed ? id.replaceTags(tags) : id;
        }
    };

    private StoreMetricTags() {
    }
}
