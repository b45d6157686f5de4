package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class RecordJsonTest {

    @Test
    void fieldsAreTheSchemasSnakeCaseNamesInSchemaOrder() {
        SocketTransition t = SampleEvents.transition();
        ObjectNode json = RecordJson.toJson(t);

        assertThat(fieldNames(json)).containsExactlyElementsOf(t.getSchema().getFields().stream().map(Schema.Field::name).toList());
        assertThat(fieldNames(json)).contains("local_port", "fin_timeout_source", "last_owner");
    }

    @Test
    void unionsShowTheirValueWithoutAWrapper() {
        SocketTransition t = SampleEvents.transition();
        ObjectNode json = RecordJson.toJson(t);

        assertThat(json.get("pid").isInt()).isTrue();
        assertThat(json.get("pid").intValue()).isEqualTo(t.getPid());
        assertThat(json.get("comm").textValue()).isEqualTo(t.getComm());
        assertThat(json.get("from_state").textValue()).isEqualTo(t.getFromState().name());
        assertThat(json.get("last_owner").get("start_time_ticks").longValue()).isEqualTo(t.getLastOwner().getStartTimeTicks());
        assertThat(json.get("reap_deadline").isNull()).isTrue();
    }

    @Test
    void enumsAreSymbolsAndTimestampsAreIsoUtc() {
        SocketTransition t = SampleEvents.transition();
        t.setToState(TcpState.GONE);
        t.setObservedAt(Instant.ofEpochMilli(1_740_830_400_250L));
        t.setReapDeadline(Instant.ofEpochMilli(1_740_830_460_000L));
        ObjectNode json = RecordJson.toJson(t);

        assertThat(json.get("to_state").textValue()).isEqualTo("GONE");
        assertThat(json.get("observed_at").textValue()).isEqualTo("2025-03-01T12:00:00.250Z");
        assertThat(json.get("reap_deadline").textValue()).isEqualTo("2025-03-01T12:01:00Z");
        assertThat(Instant.parse(json.get("last_owner").get("seen_at").textValue())).isEqualTo(t.getLastOwner().getSeenAt());
    }

    @Test
    void arraysAndMapsAreNatural() {
        CollectorHeartbeat hb = SampleEvents.heartbeat();
        ObjectNode json = RecordJson.toJson(hb);

        assertThat(json.get("namespaces").getNodeType()).isEqualTo(JsonNodeType.ARRAY);
        assertThat(json.get("namespaces")).hasSize(hb.getNamespaces().size());
        assertThat(json.get("namespaces").get(1).get("fin_timeout_source").textValue()).isEqualTo("HOST_FALLBACK");
        assertThat(json.get("state_counts").getNodeType()).isEqualTo(JsonNodeType.OBJECT);
        hb.getStateCounts().forEach((state, n) -> assertThat(json.get("state_counts").get(state).longValue()).isEqualTo(n));
        assertThat(json.get("shed_ranges").get(0).get("first").longValue()).isEqualTo(hb.getShedRanges().get(0).getFirst());
    }

    @Test
    void collectorSilentLeavesSocketFieldsNull() {
        FinWait2Anomaly silent = FinWait2Anomaly.newBuilder()
                .setAnomalyId("silent:node-17.prod:1740830400250").setKind(AnomalyKind.COLLECTOR_SILENT)
                .setReason(AnomalyReason.HEARTBEATS_STOPPED).setHost("node-17.prod")
                .setDetectedAt(Instant.ofEpochMilli(1_740_830_400_250L))
                .setLastHeardAt(Instant.ofEpochMilli(1_740_830_395_000L))
                .build();
        ObjectNode json = RecordJson.toJson(silent);

        for (String field : List.of("collector_id", "netns", "local_ip", "pid", "orphaned", "entered_at", "to_state")) {
            assertThat(json.get(field).isNull()).as(field).isTrue();
        }
        assertThat(json.get("last_heard_at").textValue()).isEqualTo("2025-03-01T11:59:55Z");
    }

    /** A generic record (e.g. read with an old writer schema, timestamps as plain longs) renders exactly like the specific one. */
    @Test
    void genericRecordsRenderLikeSpecificOnes() throws IOException {
        for (String name : FinwatchRecords.TOP_LEVEL.keySet()) {
            var specific = SampleEvents.of(name);
            byte[] bytes = FinwatchSerde.shared().encode(specific);
            GenericRecord generic = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), specific.getSchema()).decode(bytes);

            assertThat(RecordJson.toJson(generic)).as(name).isEqualTo(RecordJson.toJson((IndexedRecord) specific));
        }
    }

    @Test
    void stringFormIsOneLineThatParsesBackToTheTree() {
        SocketTransition t = SampleEvents.transition();
        String line = RecordJson.toJsonString(t);

        assertThat(line).doesNotContain("\n").startsWith("{\"host\":");
        // Compared as text: a parser reads small longs back as ints, which JsonNode.equals tells apart.
        assertThat(SchemaForms.pretty(SchemaForms.tree(line))).isEqualTo(SchemaForms.pretty(RecordJson.toJson(t)));
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }
}
