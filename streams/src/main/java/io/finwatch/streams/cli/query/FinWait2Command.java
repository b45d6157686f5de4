package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code query finwait2 HOST}: the host's open FIN_WAIT2 sockets, longest dwell first. */
@Command(name = "finwait2", mixinStandardHelpOptions = true, description = "A host's open FIN_WAIT2 sockets, longest first.")
final class FinWait2Command extends ApiCommand {

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name as its collector reports it.")
    String host;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        ApiClient.Answer answer = ctx.api().get("/api/hosts/" + ApiClient.segment(host) + "/finwait2", Map.of());
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> sockets = Fields.elements(answer.json());
        if (sockets.isEmpty()) {
            ctx.out().println("no open FIN_WAIT2 socket on " + host);
            return;
        }
        Table t = new Table(Column.text("LOCAL"), Column.text("REMOTE"), Column.number("PID"), Column.text("COMM"), Column.text("OWNER"),
                Column.number("DWELL"), Column.text("FROM"), Column.number("FIN_TIMEOUT"), Column.text("DEADLINE"), Column.text("REAP_AT"),
                Column.text("STUCK"), Column.text("CONTAINER"),
                Column.text("SHUT"), Column.number("RECV_Q"));
        for (JsonNode s : sockets) {
            t.row(Fields.first(s, Fields.address(s, "local_ip", "local_port")), Fields.address(s, "remote_ip", "remote_port"),
                    Fields.text(s, "pid"), Fields.text(s, "comm"), s.path("orphaned").asBoolean(false) ? "orphaned" : "attached",
                    Fields.ms(s, "dwell_ms"), Fields.timeSource(s, "entered_at_source"),
                    Fields.text(s, "fin_timeout_s").equals(Fields.NONE) ? Fields.NONE : Fields.text(s, "fin_timeout_s") + "s",
                    Human.instant(Fields.iso(s, "deadline"), ctx.human()::relative),
                    // An orphan's reap time from the kernel's timer; an attached socket is never reaped.
                    Human.instant(Fields.iso(s, "reap_at"), ctx.human()::relative), s.path("stuck").asBoolean(false) ? "STUCK" : "",
                    shortId(Fields.text(s, "container_id")),
                    // The kernel's flags: WR on an attached socket is the proof of shutdown() without close().
                    Fields.text(s, "shutdown"), Fields.text(s, "recv_q"));
        }
        ctx.out().print(t.render());
        ctx.out().print(Fields.staleFootnote(sockets));
    }

    /** Container ids are 64 hex digits; the first 12 are what docker and crictl show. */
    static String shortId(String id) {
        return id.length() > 12 && id.chars().allMatch(c -> Character.digit(c, 16) >= 0) ? id.substring(0, 12) : id;
    }
}
