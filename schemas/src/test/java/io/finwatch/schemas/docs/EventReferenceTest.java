package io.finwatch.schemas.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * docs/events.md is generated from the schemas' doc strings, so the reference cannot drift from what is
 * released. Regenerate after a schema change with
 * {@code mvn -pl schemas test -Dtest=EventReferenceTest -Dfinwatch.docs.write=true}.
 */
class EventReferenceTest {
    private static final Path DOC = Path.of("../docs/events.md");
    private static final Map<String, String> TOPICS = Map.of(
            "SocketTransition", "topic `" + Topics.TRANSITIONS + "`, key = host",
            "CollectorHeartbeat", "topic `" + Topics.TRANSITIONS + "` (`" + Topics.HEARTBEATS + "` from collectors of earlier releases), key = host",
            "FinWait2Anomaly", "topic `" + Topics.ANOMALIES + "`, key = host");

    @Test
    void docsEventsMdIsGeneratedFromTheCurrentSchemas() throws Exception {
        String generated = render();
        if (Boolean.getBoolean("finwatch.docs.write")) {
            Files.writeString(DOC, generated);
        }
        assertThat(Files.readString(DOC)).as("docs/events.md is stale; regenerate it (see this test's javadoc)")
                .isEqualTo(generated);
    }

    static String render() {
        Map<String, Schema> named = new LinkedHashMap<>();
        for (Schema top : List.of(SocketTransition.getClassSchema(), CollectorHeartbeat.getClassSchema(),
                FinWait2Anomaly.getClassSchema())) {
            collect(top, named);
        }
        List<String> out = new ArrayList<>(List.of(
                "# Event reference", "",
                "Every finwatch event is Avro in the single-object encoding (a 2-byte marker, the 8-byte schema fingerprint,",
                "then the binary record), with no schema registry: each released version of each schema is kept in",
                "`schemas/src/main/resources/io/finwatch/schemas/store/`, so bytes written by an older collector still decode.",
                "Timestamps are milliseconds since the epoch (UTC); `./finwatch tail --json` shows them as ISO-8601.", "",
                "Generated from the schemas' doc strings by `EventReferenceTest`.", ""));
        for (Schema s : named.values()) {
            String topic = TOPICS.get(s.getName());
            out.add("## " + s.getName() + (topic == null ? "" : " (" + topic + ")"));
            out.add("");
            out.add(oneLine(s.getDoc()));
            out.add("");
            if (s.getType() == Schema.Type.RECORD) {
                out.add("| field | type | meaning |");
                out.add("|---|---|---|");
                for (Schema.Field f : s.getFields()) {
                    out.add("| `" + f.name() + "` | " + typeName(f.schema()) + " | " + oneLine(f.doc()).replace("|", "\\|") + " |");
                }
            } else {
                out.add("Symbols: " + String.join(", ", s.getEnumSymbols().stream().map(x -> "`" + x + "`").toList()) + ".");
            }
            out.add("");
        }
        return String.join("\n", out);
    }

    private static void collect(Schema s, Map<String, Schema> named) {
        switch (s.getType()) {
            case RECORD -> {
                if (named.putIfAbsent(s.getName(), s) == null) {
                    s.getFields().forEach(f -> collect(f.schema(), named));
                }
            }
            case ENUM -> named.putIfAbsent(s.getName(), s);
            case ARRAY -> collect(s.getElementType(), named);
            case MAP -> collect(s.getValueType(), named);
            case UNION -> s.getTypes().forEach(t -> collect(t, named));
            default -> {
            }
        }
    }

    private static String typeName(Schema s) {
        LogicalType logical = s.getLogicalType();
        if (logical != null) {
            return logical.getName();
        }
        return switch (s.getType()) {
            case UNION -> String.join(" or ", s.getTypes().stream().map(EventReferenceTest::typeName).toList());
            case ARRAY -> "array of " + typeName(s.getElementType());
            case MAP -> "map of " + typeName(s.getValueType());
            case RECORD, ENUM -> s.getName();
            default -> s.getType().getName();
        };
    }

    private static String oneLine(String doc) {
        return doc == null ? "" : String.join(" ", doc.trim().split("\\s+"));
    }
}
