package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code query top}: the fleet's worst processes, by open attached FIN_WAIT2 sockets or by p99 dwell. */
@Command(name = "top", mixinStandardHelpOptions = true, description = "Fleet-wide top processes by open attached FIN_WAIT2 count or p99 dwell.")
final class TopCommand extends ApiCommand {

    enum By { ATTACHED, P99 }

    @Option(names = "--by", defaultValue = "attached", paramLabel = "attached|p99", description = "attached or p99. Default: ${DEFAULT-VALUE}.")
    By by;

    @Option(names = "--limit", defaultValue = "10", paramLabel = "N", description = "1 to 1000. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--window", defaultValue = "1h", paramLabel = "WINDOW",
            description = "Dwell window: 'all' or a duration such as 15m, 6h, 7d. Default: ${DEFAULT-VALUE}.")
    String window;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        Limits.check(spec, "--limit", limit);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("by", by.name().toLowerCase(Locale.ROOT));
        q.put("limit", String.valueOf(limit));
        q.put("window", window);
        ApiClient.Answer answer = ctx.api().get("/api/top/processes", q);
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> processes = Fields.elements(answer.json());
        if (processes.isEmpty()) {
            ctx.out().println("no process held a FIN_WAIT2 socket in the last " + window);
            return;
        }
        ctx.out().print(ProcessTable.of(processes, true, window).render());
        ctx.out().print(Fields.staleFootnote(processes));
    }
}
