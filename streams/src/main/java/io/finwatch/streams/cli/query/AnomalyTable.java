package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.List;

/** Anomalies as rows, for {@code anomalies} and for each batch {@code --follow} prints. */
final class AnomalyTable {
    private AnomalyTable() {
    }

    static Table of(List<JsonNode> anomalies, Human human) {
        Table t = empty();
        anomalies.forEach(a -> add(t, a, human));
        return t;
    }

    static Table empty() {
        return new Table(Column.text("DETECTED"), Column.text("KIND"), Column.text("REASON"), Column.text("HOST"), Column.number("PID"),
                Column.text("COMM"), Column.text("POD"), Column.text("OWNER"), Column.text("LOCAL"), Column.text("REMOTE"), Column.number("DWELL"),
                Column.text("FROM"), Column.text("SHUT"), Column.text("STATE"), Column.text("VERDICT"), Column.text("PEER"));
    }

    /** {@code ns/pod} with the API's names, the pod's UID with the cgroup's alone, or none. */
    static String pod(JsonNode pod) {
        if (pod.isMissingNode() || pod.isNull()) {
            return Fields.NONE;
        }
        return pod.hasNonNull("pod_name") ? pod.path("k8s_namespace").asText() + "/" + pod.path("pod_name").asText()
                : pod.path("pod_uid").asText();
    }

    static void add(Table t, JsonNode a, Human human) {
        // A COLLECTOR_SILENT anomaly is about a host, not a socket: its socket fields are null.
        boolean socket = a.hasNonNull("local_ip");
        t.row(Fields.first(a, Human.instant(Fields.iso(a, "detected_at"), human::local)), Fields.text(a, "kind"), Fields.text(a, "reason"),
                Fields.text(a, "host"), Fields.text(a, "pid"), Fields.text(a, "comm"), pod(a.path("pod")),
                socket ? (a.path("orphaned").asBoolean(false) ? "orphaned" : "attached") : Fields.NONE,
                Fields.address(a, "local_ip", "local_port"), Fields.address(a, "remote_ip", "remote_port"), Fields.ms(a, "dwell_ms"),
                // Whether the dwell counts from the kernel's own time in the state or from the poll that saw it.
                Fields.timeSource(a, "entered_at_source"), Fields.text(a, "shutdown"), Fields.text(a, "state"), Fields.text(a, "verdict"), Peers.describe(a.path("peer")));
    }
}
