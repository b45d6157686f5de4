package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code query closewait HOST}: the host's open CLOSE_WAIT sockets, longest dwell first, with their peers. */
@Command(name = "closewait", mixinStandardHelpOptions = true,
        description = "A host's open CLOSE_WAIT sockets (its processes never closed them), longest first, with their peers.")
final class CloseWaitCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name as its collector reports it.")
    String host;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        ApiClient.Answer answer = ctx.api().get("/api/hosts/" + ApiClient.segment(host) + "/closewait", Map.of());
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> sockets = Fields.elements(answer.json());
        if (sockets.isEmpty()) {
            ctx.out().println("no open CLOSE_WAIT socket on " + host);
            return;
        }
        Table t = new Table(Column.text("LOCAL"), Column.text("REMOTE"), Column.number("PID"), Column.text("COMM"), Column.number("DWELL"),
                Column.number("UNREAD"), Column.text("STUCK"), Column.text("VERDICT"), Column.text("PEER"));
        for (JsonNode s : sockets) {
            t.row(Fields.first(s, Fields.address(s, "local_ip", "local_port")), Fields.address(s, "remote_ip", "remote_port"),
                    Fields.text(s, "pid"), Fields.text(s, "comm"), Fields.ms(s, "dwell_ms"), Peers.unread(s.path("recv_q")),
                    s.path("stuck").asBoolean(false) ? "STUCK" : "", Fields.text(s, "verdict"), Peers.describe(s.path("peer")));
        }
        ctx.out().print(t.render());
        ctx.out().print(Fields.staleFootnote(sockets));
    }
}
