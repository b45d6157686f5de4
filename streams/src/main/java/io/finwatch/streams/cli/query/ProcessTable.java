package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.ArrayList;
import java.util.List;

/** The per-process elements of {@code processes} and {@code top}: open counts, and dwell of episodes that ended in the window. */
final class ProcessTable {
    private ProcessTable() {
    }

    static Table of(List<JsonNode> processes, boolean withHost, String window) {
        List<Column> cols = new ArrayList<>();
        if (withHost) {
            cols.add(Column.text("HOST"));
        }
        cols.addAll(List.of(Column.number("PID"), Column.text("COMM"), Column.number("ATTACHED"), Column.number("ORPHANED"),
                Column.number("ENDED/" + window), Column.number("P50"), Column.number("P90"), Column.number("P99"), Column.number("MAX")));
        Table t = new Table(cols.toArray(Column[]::new));
        for (JsonNode p : processes) {
            List<String> cells = new ArrayList<>();
            if (withHost) {
                cells.add(Fields.first(p, Fields.text(p, "host")));
            }
            cells.add(withHost ? Fields.text(p, "pid") : Fields.first(p, Fields.text(p, "pid")));
            cells.addAll(List.of(Fields.text(p, "comm"), Fields.text(p, "attached"), Fields.text(p, "orphaned"), Fields.text(p, "count"),
                    Fields.ms(p, "p50_ms"), Fields.ms(p, "p90_ms"), Fields.ms(p, "p99_ms"), Fields.ms(p, "max_ms")));
            t.row(cells.toArray(String[]::new));
        }
        return t;
    }
}
