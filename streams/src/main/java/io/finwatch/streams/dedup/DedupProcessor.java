package io.finwatch.streams.dedup;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.topology.StoreNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Drops events already processed. A collector publishes at least once, so after an unclean stop it
 * re-sends what Kafka may already hold; within one topic partition a collector's events keep their order,
 * so a (collector_id, topic) high-water mark is enough: an event at or below it was seen. The mark is per
 * topic because transitions and heartbeats share one sequence but are not ordered with each other.
 */
public final class DedupProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    private static final Duration SWEEP_EVERY = Duration.ofHours(1);

    private final StreamsSettings settings;
    private final DetectorMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, SeqMark> marks;
    /**
     * The marks this processor has read or written since its init: every event needs its collector's mark, and
     * there are two per collector run (kilobytes for a fleet), so the store is read once per mark instead of once
     * per event. Made anew at every init, after any restore, so it never holds what the store does not.
     */
    private Map<String, SeqMark> known;
    private Cancellable sweep;

    public DedupProcessor(StreamsSettings settings, DetectorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.marks = context.getStateStore(StoreNames.DEDUP);
        this.known = new HashMap<>();
        this.sweep = context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord event = record.value();
        String collector;
        long seq;
        String topic;
        if (event instanceof SocketTransition t) {
            collector = t.getCollectorId();
            seq = t.getSeq();
            topic = settings.transitionsTopic();
        } else {
            CollectorHeartbeat hb = (CollectorHeartbeat) event;
            collector = hb.getCollectorId();
            seq = hb.getSeq();
            topic = settings.heartbeatsTopic();
        }
        String key = collector + (event instanceof SocketTransition ? "|T" : "|H");
        SeqMark mark = known.get(key);
        if (mark == null) {
            mark = marks.get(key);
        }
        if (mark != null && seq <= mark.seq()) {
            metrics.duplicate(topic);
            return;
        }
        SeqMark next = new SeqMark(seq, context.currentSystemTimeMs());
        marks.put(key, next);
        known.put(key, next);
        context.forward(record);
    }

    /** Forgets collector runs not heard from for the retention: their re-sends are long over. */
    private void sweep(long now) {
        long cutoff = now - settings.dedupRetention().toMillis();
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, SeqMark> it = marks.all()) {
            while (it.hasNext()) {
                KeyValue<String, SeqMark> e = it.next();
                if (e.value.seenAtMs() < cutoff) {
                    old.add(e.key);
                }
            }
        }
        for (String key : old) {
            marks.delete(key);
            known.remove(key);
        }
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel();
        }
    }
}
