package io.finwatch.streams.dedup;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.streams.config.PunctuationAlarm;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.state.BeforeCommitStore;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Drops events already processed. A collector publishes at least once, so after an unclean stop it
 * re-sends what Kafka may already hold. An event is named by (collector_id, epoch, seq): seq counts within
 * one run (epoch) of the collector, and a later run may number from anywhere, even from 0 again after its
 * buffer directory was lost, so the mark is per run. Within one topic partition a run's events keep their
 * order, so a (collector_id, epoch, topic) high-water mark is enough: an event at or below it was seen. The
 * mark is per topic because transitions and heartbeats share one sequence but are not ordered with each other.
 * Events of collectors from before epochs (epoch 0) keep the marks they always had, keyed without an epoch.
 */
public final class DedupProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    private static final Duration SWEEP_EVERY = Duration.ofHours(1);

    private final StreamsSettings settings;
    private final DetectorMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private SeqMarks marks;
    private HeartbeatGate gate;
    private Cancellable sweep;
    private Cancellable expire;
    /** When a held heartbeat's wait is over, for a stream thread that waits long between polls. */
    private PunctuationAlarm.Slot alarm;
    /** Each collector's current run and its two mark keys: found by collector id instead of built for every event. */
    private final Map<String, RunKeys> runKeys = new HashMap<>();

    private record RunKeys(long epoch, String transitions, String heartbeats) {
    }

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
        BeforeCommitStore<String, byte[]> heldStore = context.getStateStore(StoreNames.HELD_HEARTBEATS);
        this.gate = new HeartbeatGate(heldStore.store(), (collector, epoch) -> marks.mark(markKey(collector, epoch, true)),
                context.currentSystemTimeMs());
        heldStore.beforeCommit(gate::save);
        this.alarm = PunctuationAlarm.of(context.appConfigs());
        tellAlarm();
        this.sweep = context.schedule(SWEEP_EVERY, PunctuationType.WALL_CLOCK_TIME, this::sweep);
        this.expire = context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, now -> {
            List<CollectorHeartbeat> late = gate.expire(now);
            metrics.heartbeatsTakenUnordered(late.size());
            forward(late, now);
            tellAlarm();
        });
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord event = record.value();
        String collector;
        long epoch;
        long seq;
        if (event instanceof SocketTransition t) {
            collector = t.getCollectorId();
            epoch = t.getEpoch();
            seq = t.getSeq();
        } else {
            CollectorHeartbeat hb = (CollectorHeartbeat) event;
            collector = hb.getCollectorId();
            epoch = hb.getEpoch();
            seq = hb.getSeq();
        }
        String key = runKey(collector, epoch, event instanceof SocketTransition);
        long previous = event instanceof CollectorHeartbeat ? marks.mark(key) : -1;
        if (!marks.advance(key, seq, context.currentSystemTimeMs())) {
            // By the topic it came on: heartbeats come on the transitions topic, or on the heartbeats topic from
            // collectors of earlier releases.
            metrics.duplicate(context.recordMetadata().map(RecordMetadata::topic).orElse(settings.transitionsTopic()));
            return;
        }
        if (event instanceof CollectorHeartbeat hb) {
            if (gate.onHeartbeat(hb, previous, context.currentSystemTimeMs())) {
                context.forward(record);
            } else if (alarm.active()) {
                alarm.atOrBefore(gate.nextExpiry());
            }
        } else {
            context.forward(record);
            forward(gate.onTransition(collector, epoch), record.timestamp());
        }
    }

    /** When a held heartbeat's wait is over; only where an alarm reads it (the gate's queues are walked for it). */
    private void tellAlarm() {
        if (alarm.active()) {
            alarm.at(gate.nextExpiry());
        }
    }

    /** Heartbeats the gate let through after waiting, each keyed by its host like every event here. */
    private void forward(List<CollectorHeartbeat> heartbeats, long timestamp) {
        for (CollectorHeartbeat hb : heartbeats) {
            context.forward(new Record<String, SpecificRecord>(hb.getHost(), hb, timestamp));
        }
    }

    /** collector|T and collector|H before epochs (so marks written then still hold), collector|epoch|T after. */
    static String markKey(String collector, long epoch, boolean transition) {
        return collector + (epoch == 0 ? "" : "|" + epoch) + (transition ? "|T" : "|H");
    }

    private String runKey(String collector, long epoch, boolean transition) {
        RunKeys k = runKeys.get(collector);
        if (k == null || k.epoch() != epoch) {
            k = new RunKeys(epoch, markKey(collector, epoch, true), markKey(collector, epoch, false));
            runKeys.put(collector, k);
        }
        return transition ? k.transitions() : k.heartbeats();
    }

    /** Forgets collector runs not heard from for the retention: their re-sends are long over. */
    private void sweep(long now) {
        marks.sweep(now - settings.dedupRetention().toMillis());
        runKeys.clear();
    }

    @Override
    public void close() {
        if (sweep != null) {
            sweep.cancel();
        }
        if (expire != null) {
            expire.cancel();
        }
        if (alarm != null) {
            alarm.close();
        }
    }
}
