package io.finwatch.schemas.serde;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.Owner;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.TransitionSource;
import io.finwatch.schemas.ConntrackScope;
import io.finwatch.schemas.ConntrackEntry;
import io.finwatch.schemas.Verdict;
import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.OwnerLookup;
import io.finwatch.schemas.KubernetesApiState;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import io.finwatch.schemas.state.DwellHistogram;
import io.finwatch.schemas.state.EndedDwell;
import io.finwatch.schemas.state.HostNamespace;
import io.finwatch.schemas.state.HostStatus;
import io.finwatch.schemas.state.OpenSocketCounts;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.schemas.state.PendingDwell;
import io.finwatch.schemas.state.SocketEpisode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The generated classes, named by class literal. Avro would otherwise find them by loading classes
 * by name, which Avro 1.12.2 refuses for classes outside its allow-list (see {@link FinwatchData}).
 * A test checks that this table covers every schema file and every named type they reach.
 */
final class FinwatchRecords {

    /**
     * Schema namespace of every finwatch type (the detector's store values in its sub-namespace {@code .state});
     * store directories use the simple name, unique across both.
     */
    static final String NAMESPACE = "io.finwatch.schemas";

    /**
     * Records encoded on their own, by simple name, in a stable order: the events, one per topic, then the values
     * of the detector's state stores.
     */
    static final Map<String, Class<? extends SpecificRecord>> TOP_LEVEL;

    /** Every generated named type (records and enums), by full schema name. */
    static final Map<String, Class<?>> BY_FULL_NAME;

    private static final Map<Class<?>, Schema> SCHEMA_BY_CLASS;

    static {
        Map<String, Class<? extends SpecificRecord>> top = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> c : List.of(SocketTransition.class, CollectorHeartbeat.class, FinWait2Anomaly.class,
                SocketEpisode.class, OpenSocketCounts.class, HostStatus.class, PendingDwell.class, DwellHistogram.class,
                PairingEnd.class, PairFact.class)) {
            if (top.put(c.getSimpleName(), c) != null) {
                throw new IllegalStateException("two top-level records named " + c.getSimpleName());
            }
        }
        TOP_LEVEL = Collections.unmodifiableMap(top);

        Map<String, Class<?>> all = new LinkedHashMap<>();
        Map<Class<?>, Schema> schemas = new LinkedHashMap<>();
        List<Map.Entry<Class<?>, Schema>> named = List.of(
                Map.entry(SocketTransition.class, SocketTransition.getClassSchema()),
                Map.entry(CollectorHeartbeat.class, CollectorHeartbeat.getClassSchema()),
                Map.entry(FinWait2Anomaly.class, FinWait2Anomaly.getClassSchema()),
                Map.entry(Owner.class, Owner.getClassSchema()),
                Map.entry(NamespaceInfo.class, NamespaceInfo.getClassSchema()),
                Map.entry(SeqRange.class, SeqRange.getClassSchema()),
                Map.entry(LostRange.class, LostRange.getClassSchema()),
                Map.entry(LossCause.class, LossCause.getClassSchema()),
                Map.entry(TcpState.class, TcpState.getClassSchema()),
                Map.entry(TimerKind.class, TimerKind.getClassSchema()),
                Map.entry(FinTimeoutSource.class, FinTimeoutSource.getClassSchema()),
                Map.entry(ShutdownFlags.class, ShutdownFlags.getClassSchema()),
                Map.entry(StateSinceSource.class, StateSinceSource.getClassSchema()),
                Map.entry(AnomalyKind.class, AnomalyKind.getClassSchema()),
                Map.entry(AnomalyReason.class, AnomalyReason.getClassSchema()),
                Map.entry(PodIdentity.class, PodIdentity.getClassSchema()),
                Map.entry(TransitionSource.class, TransitionSource.getClassSchema()),
                Map.entry(ConntrackScope.class, ConntrackScope.getClassSchema()),
                Map.entry(ConntrackEntry.class, ConntrackEntry.getClassSchema()),
                Map.entry(Verdict.class, Verdict.getClassSchema()),
                Map.entry(PeerEnd.class, PeerEnd.getClassSchema()),
                Map.entry(OwnerLookup.class, OwnerLookup.getClassSchema()),
                Map.entry(KubernetesApiState.class, KubernetesApiState.getClassSchema()),
                Map.entry(SocketEpisode.class, SocketEpisode.getClassSchema()),
                Map.entry(OpenSocketCounts.class, OpenSocketCounts.getClassSchema()),
                Map.entry(HostStatus.class, HostStatus.getClassSchema()),
                Map.entry(HostNamespace.class, HostNamespace.getClassSchema()),
                Map.entry(PendingDwell.class, PendingDwell.getClassSchema()),
                Map.entry(EndedDwell.class, EndedDwell.getClassSchema()),
                Map.entry(DwellHistogram.class, DwellHistogram.getClassSchema()),
                Map.entry(PairingEnd.class, PairingEnd.getClassSchema()),
                Map.entry(PairFact.class, PairFact.getClassSchema()));
        for (Map.Entry<Class<?>, Schema> e : named) {
            all.put(e.getValue().getFullName(), e.getKey());
            schemas.put(e.getKey(), e.getValue());
        }
        BY_FULL_NAME = Collections.unmodifiableMap(all);
        SCHEMA_BY_CLASS = Collections.unmodifiableMap(schemas);
    }

    private FinwatchRecords() {
    }

    /** The schema the generated class of a top-level record was built from. */
    static Schema currentSchema(String recordName) {
        Class<? extends SpecificRecord> type = TOP_LEVEL.get(recordName);
        if (type == null) {
            throw new IllegalArgumentException("not a finwatch record name: " + recordName + " (known: " + TOP_LEVEL.keySet() + ")");
        }
        return SCHEMA_BY_CLASS.get(type);
    }

    /** The schema of a generated class, or null when the class is not one of finwatch's. */
    static Schema schemaOf(Class<?> type) {
        return SCHEMA_BY_CLASS.get(type);
    }

    /** The simple record name of a top-level finwatch record's schema (by its full name), or null for anything else. */
    static String recordNameOf(Schema schema) {
        Class<? extends SpecificRecord> type = TOP_LEVEL.get(schema.getName());
        return type != null && type.getName().equals(schema.getFullName()) ? schema.getName() : null;
    }
}
