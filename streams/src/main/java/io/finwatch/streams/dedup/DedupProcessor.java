package io.finwatch.streams.dedup;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.state.BeforeCommitStore;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

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
    private SeqMarks marks;
    private Cancellable sweep;

    public DedupProcessor(StreamsSettings settings, DetectorMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        BeforeCommitStore<String, SeqMark> store = context.getStateStore(StoreNames.DEDUP);
        this.marks = new SeqMarks(store.store());
        store.beforeCommit(marks::save);
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
        if (!marks.advance(key, seq, context.currentSystemTimeMs())) {
            metrics.duplicate(topic);
            return;
        }
        context.forward(record);
    }

    /** Forgets collector runs not heard from for the retention: their re-sends are long over. */
    private void sweep(long now) {
        marks.sweep(now - settings.dedupRetention().toMillis());
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel();
        }
    }
}
