package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code query pairs HOST}: both ends of the host's closing connections that finwatch paired, and the verdict. */
@Command(name = "pairs", mixinStandardHelpOptions = true,
        description = "Both ends of a host's open FIN_WAIT2 / CLOSE_WAIT connections that were paired, and who is at fault.")
final class PairsCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name as its collector reports it.")
    String host;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        ApiClient.Answer answer = ctx.api().get("/api/hosts/" + ApiClient.segment(host) + "/pairs", Map.of());
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> pairs = Fields.elements(answer.json());
        if (pairs.isEmpty()) {
            ctx.out().println("no paired closing connection on " + host);
            return;
        }
        Table t = new Table(Column.text("STATE"), Column.text("LOCAL"), Column.text("REMOTE"), Column.number("PID"), Column.text("COMM"),
                Column.number("DWELL"), Column.text("PEER"), Column.text("PEER STATE"), Column.number("PEER DWELL"), Column.number("PEER UNREAD"),
                Column.text("VERDICT"));
        for (JsonNode p : pairs) {
            JsonNode e = p.path("end");
            JsonNode peer = p.path("peer");
            t.row(Fields.first(p, Fields.text(e, "state")), Fields.address(e, "local_ip", "local_port"), Fields.address(e, "remote_ip", "remote_port"),
                    Fields.text(e, "pid"), Fields.text(e, "comm"), Fields.ms(e, "dwell_ms"), Peers.describe(peer), Fields.text(peer, "state"),
                    Fields.ms(peer, "dwell_ms"), "CLOSE_WAIT".equals(peer.path("state").asText()) ? Peers.unread(peer.path("recv_q")) : Fields.NONE,
                    Fields.text(p, "verdict"));
        }
        ctx.out().print(t.render());
        for (JsonNode p : pairs) {
            ctx.out().println("  " + Fields.address(p.path("end"), "local_ip", "local_port") + ": " + Fields.text(p, "evidence"));
        }
        ctx.out().print(Fields.staleFootnote(pairs));
    }
}
