package io.finwatch.schemas.serde;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.Owner;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
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

    /** Schema namespace of every finwatch type; store directories use the simple name. */
    static final String NAMESPACE = "io.finwatch.schemas";

    /** Records published on their own, one per topic, by simple name, in a stable order. */
    static final Map<String, Class<? extends SpecificRecord>> TOP_LEVEL;

    /** Every generated named type (records and enums), by full schema name. */
    static final Map<String, Class<?>> BY_FULL_NAME;

    private static final Map<Class<?>, Schema> SCHEMA_BY_CLASS;

    static {
        Map<String, Class<? extends SpecificRecord>> top = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> c : List.of(SocketTransition.class, CollectorHeartbeat.class, FinWait2Anomaly.class)) {
            top.put(c.getSimpleName(), c);
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
                Map.entry(AnomalyKind.class, AnomalyKind.getClassSchema()),
                Map.entry(AnomalyReason.class, AnomalyReason.getClassSchema()));
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

    /** The simple record name for a full schema name in the finwatch namespace, or null for anything else. */
    static String recordNameOf(Schema schema) {
        return NAMESPACE.equals(schema.getNamespace()) && TOP_LEVEL.containsKey(schema.getName()) ? schema.getName() : null;
    }
}
