package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code query hosts}: every host the detector heard from, most open FIN_WAIT2 first. */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "Hosts with their open FIN_WAIT2 sockets (attached / orphaned).")
final class HostsCommand extends ApiCommand {

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        ApiClient.Answer answer = ctx.api().get("/api/hosts", Map.of());
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> hosts = Fields.elements(answer.json());
        if (hosts.isEmpty()) {
            ctx.out().println("no host has reported yet");
            return;
        }
        Table t = new Table(Column.text("HOST"), Column.number("FIN_WAIT2"), Column.number("ATTACHED"), Column.number("ORPHANED"),
                Column.number("SOCKETS"), Column.text("LAST SEEN"), Column.text("COLLECTOR"));
        for (JsonNode h : hosts) {
            t.row(Fields.first(h, Fields.text(h, "host")), Fields.text(h, "open_fin_wait2"), Fields.text(h, "attached"), Fields.text(h, "orphaned"),
                    Fields.text(h, "sockets_seen"), Human.instant(Fields.iso(h, "last_seen"), ctx.human()::relative), collector(ctx, h));
        }
        ctx.out().print(t.render());
        ctx.out().print(Fields.staleFootnote(hosts));
    }

    private static String collector(QueryContext ctx, JsonNode h) {
        if (h.path("silent").asBoolean(false)) {
            return "SILENT since " + Human.instant(Fields.iso(h, "silent_since"), ctx.human()::local);
        }
        return Fields.text(h, "collector_version") + ", every " + Fields.ms(h, "poll_interval_ms");
    }
}
