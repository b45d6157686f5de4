package io.finwatch.streams.detect;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.pair.PairKeys;
import io.finwatch.streams.pair.PairingEnds;
import io.finwatch.streams.aggregate.DwellAggregates;
import io.finwatch.streams.aggregate.RecentAnomalies;
import io.finwatch.streams.config.PromptCommits;
import io.finwatch.streams.config.PunctuationAlarm;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.directory.HostDirectory;
import io.finwatch.streams.metrics.DetectorMetrics;
import io.finwatch.streams.metrics.EventLag;
import io.finwatch.streams.state.BeforeCommitStore;
import io.finwatch.streams.state.StoreNames;
import java.time.Duration;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Decides STUCK, UPDATED, RESOLVED and COLLECTOR_SILENT from deduplicated transitions and heartbeats and from the
 * pairing task's facts about episodes' peers, and keeps the queryable aggregates. Deadlines are checked by a wall-clock punctuator: a stuck socket produces no event
 * at all, so only the passing of time can reveal it.
 */
public final class DetectorProcessor implements Processor<String, SpecificRecord, String, SpecificRecord> {

    /** How often old entries of the recent-anomalies store are dropped. */
    private static final Duration EXPIRE_EVERY = Duration.ofMinutes(10);

    private final StreamsSettings settings;
    private final DetectorMetrics metrics;
    private ProcessorContext<String, SpecificRecord> context;
    private ConnectionTracker connections;
    private HostTracker hosts;
    private RecentAnomalies recent;
    private DwellAggregates dwell;
    private DwellAggregates closeWaitDwell;
    private AnomalyOutput output;
    private String taskId;
    private EventLag lag;
    private Cancellable due;
    private Cancellable expiry;
    private Cancellable fold;
    /** When the punctuations next have work, for a stream thread that waits long between polls. */
    private PunctuationAlarm.Slot alarm;
    private long nextFoldAt;

    private final String anomaliesChild;
    private final String pairingChild;

    /**
     * @param anomaliesChild the sink of the anomalies topic
     * @param pairingChild   the sink of the pairing topic: the ends a restarted collector did not re-report go there
     *                       as GONE, so the pairing task drops them and tells their peers
     */
    public DetectorProcessor(StreamsSettings settings, DetectorMetrics metrics, String anomaliesChild, String pairingChild) {
        this.settings = settings;
        this.metrics = metrics;
        this.anomaliesChild = anomaliesChild;
        this.pairingChild = pairingChild;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.taskId = context.taskId().toString();
        KeyValueStore<String, ConnectionState> connectionStore = context.getStateStore(StoreNames.CONNECTIONS);
        KeyValueStore<String, HostSummary> hostStore = context.getStateStore(StoreNames.HOSTS);
        BeforeCommitStore<String, byte[]> dwellPending = context.getStateStore(StoreNames.DWELL_PENDING);
        KeyValueStore<String, byte[]> dwellAll = context.getStateStore(StoreNames.DWELL_ALL_TIME);
        WindowStore<String, byte[]> dwell1m = context.getStateStore(StoreNames.DWELL_1M);
        WindowStore<String, byte[]> dwell1h = context.getStateStore(StoreNames.DWELL_1H);
        KeyValueStore<String, byte[]> recentStore = context.getStateStore(StoreNames.RECENT_ANOMALIES);

        this.recent = new RecentAnomalies(recentStore, settings.recentAnomaliesPerHost(), settings.recentAnomaliesRetention().toMillis());
        // Anomalies are read with read_committed: where commits are rare (local), each asks for its own at once.
        boolean commitEachAnomaly = commitIntervalMs(context) > PromptCommits.PROMPT_MS;
        this.output = anomaly -> {
            context.forward(new Record<String, SpecificRecord>(anomaly.getHost(), anomaly, anomaly.getDetectedAt().toEpochMilli()),
                    anomaliesChild);
            if (commitEachAnomaly) {
                context.commit();
            }
            recent.add(anomaly);
            metrics.anomaly(anomaly.getKind().toString(), anomaly.getReason().toString());
        };
        this.hosts = new HostTracker(hostStore, settings, context.currentSystemTimeMs());
        this.dwell = new DwellAggregates(dwellPending.store(), dwellAll, dwell1m, dwell1h);
        dwellPending.beforeCommit(dwell::save);
        BeforeCommitStore<String, byte[]> closeWaitPending = context.getStateStore(StoreNames.CLOSE_WAIT_DWELL_PENDING);
        this.closeWaitDwell = new DwellAggregates(closeWaitPending.store(), context.getStateStore(StoreNames.CLOSE_WAIT_DWELL_ALL_TIME),
                context.getStateStore(StoreNames.CLOSE_WAIT_DWELL_1M), context.getStateStore(StoreNames.CLOSE_WAIT_DWELL_1H));
        closeWaitPending.beforeCommit(closeWaitDwell::save);
        KeyValueStore<String, PairFact> peers = context.getStateStore(StoreNames.PEERS);
        KeyValueStore<String, byte[]> directory = context.getStateStore(StoreNames.HOST_DIRECTORY);
        OpenCountStores counts = new OpenCountStores(context.getStateStore(StoreNames.OPEN_FIN_WAIT2_HOSTS),
                context.getStateStore(StoreNames.OPEN_FIN_WAIT2), context.getStateStore(StoreNames.OPEN_FIN_WAIT2_WORKLOADS),
                context.getStateStore(StoreNames.OPEN_CLOSE_WAIT));
        this.connections = new ConnectionTracker(connectionStore, counts, dwell, closeWaitDwell,
                new Diagnosis(peers, new HostDirectory(directory), pairingAllowanceMs(context)), settings, metrics.openSockets(taskId));
        this.lag = metrics.eventLag(taskId);
        this.alarm = PunctuationAlarm.of(context.appConfigs());
        this.nextFoldAt = context.currentSystemTimeMs() + settings.foldEvery().toMillis();
        this.due = context.schedule(settings.punctuateEvery(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        // Old entries of the recent anomalies may go a poll late: not on the alarm.
        this.expiry = context.schedule(EXPIRE_EVERY, PunctuationType.WALL_CLOCK_TIME, recent::expire);
        this.fold = context.schedule(settings.foldEvery(), PunctuationType.WALL_CLOCK_TIME, now -> {
            dwell.fold();
            closeWaitDwell.fold();
            connections.recheck(now, output);
            nextFoldAt = now + settings.foldEvery().toMillis();
            setAlarm();
        });
        setAlarm();
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        SpecificRecord value = record.value();
        if (value == null) {
            return;
        }
        if (!(value instanceof PairFact)) {
            lag.observe(context.currentSystemTimeMs() - record.timestamp());
        }
        if (value instanceof SocketTransition t) {
            connections.onTransition(t, hosts.intervalMs(t.getHost()), output);
        } else if (value instanceof PairFact fact) {
            connections.onPeerFact(fact, context.currentSystemTimeMs(), output);
        } else if (value instanceof CollectorHeartbeat hb) {
            HostTracker.HeartbeatOutcome outcome = hosts.onHeartbeat(hb, context.currentSystemTimeMs());
            if (outcome.sweepBelowSeq() != null) {
                for (ConnectionState c : connections.endUnconfirmed(hb.getHost(), outcome.sweepBelowSeq(), hb.getObservedAt().toEpochMilli(),
                        output)) {
                    // No GONE of it will ever come from the collector, so the pairing task would keep the end (and its
                    // peer its fact) until the 4-tuple saw traffic again.
                    PairingEnd gone = UnconfirmedEnds.gone(c, hb);
                    for (PairKeys.Keyed k : PairingEnds.keys(gone)) {
                        context.forward(new Record<String, SpecificRecord>(k.key(), gone, record.timestamp()), pairingChild);
                    }
                }
            }
            if (outcome.resumed()) {
                connections.rearm(hb.getHost());
            }
            connections.polled(hb.getHost());
        } else {
            throw new IllegalStateException("the decoder forwards only transitions and heartbeats, got " + value.getClass().getName());
        }
        // A record can open a deadline, or re-arm a host's (silence and folds are taken in at each punctuation, which
        // runs at least once a poll).
        if (alarm.active()) {
            alarm.atOrBefore(connections.nextDeadline());
        }
    }

    /**
     * Tells the alarm when the punctuations next have work: the earliest deadline, the first host whose silence
     * would be up, the next fold. A wall-clock punctuation runs once its period has passed at a wake-up, so one
     * woken at the due time runs then, or within a period after.
     */
    private void setAlarm() {
        if (alarm.active()) {
            alarm.at(Math.min(connections.nextDeadline(), Math.min(hosts.nextSilenceAt(), nextFoldAt)));
        }
    }

    /**
     * The second hop of the pairing path (docs/architecture.md): the pairing task reads the ends once the detector's
     * transaction commits, and its facts are read once its own commits; both at the commit interval, plus a poll and
     * the processing between. Where commits are rare, both hops ask for prompt commits ({@link PromptCommits}), which
     * usually makes them far shorter; this is the bound without them.
     */
    private static long pairingAllowanceMs(ProcessorContext<?, ?> context) {
        return 2 * commitIntervalMs(context) + 1_000;
    }

    private static long commitIntervalMs(ProcessorContext<?, ?> context) {
        return PromptCommits.commitIntervalMs(context.appConfigs());
    }

    private void punctuate(long now) {
        hosts.checkSilence(now, output);
        connections.fireDue(now, hosts, output);
        lag.publish();
        metrics.silentCollectors(taskId, now, hosts.silentLastHeard());
        setAlarm();
    }

    @Override
    public void close() {
        if (due != null) {
            due.cancel();
        }
        if (expiry != null) {
            expiry.cancel();
        }
        if (fold != null) {
            fold.cancel();
        }
        if (alarm != null) {
            alarm.close();
        }
        if (taskId != null) {
            metrics.closeTask(taskId);
        }
    }
}
