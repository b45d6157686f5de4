package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code query processes HOST}: which processes of a host hold FIN_WAIT2 sockets, and how long their episodes last. */
@Command(name = "processes", mixinStandardHelpOptions = true,
        description = "A host's processes: open FIN_WAIT2 counts and dwell percentiles of episodes that ended within --window.")
final class ProcessesCommand extends ApiCommand {

    @Parameters(index = "0", paramLabel = "HOST", description = "The host name as its collector reports it.")
    String host;

    @Option(names = "--window", defaultValue = "1h", paramLabel = "WINDOW",
            description = "'all' or a duration such as 15m, 6h, 7d (at most 7d). Default: ${DEFAULT-VALUE}.")
    String window;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        ApiClient.Answer answer = ctx.api().get("/api/hosts/" + ApiClient.segment(host) + "/processes", Map.of("window", window));
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> processes = Fields.elements(answer.json());
        if (processes.isEmpty()) {
            ctx.out().println("no process of " + host + " held a FIN_WAIT2 socket in the last " + window);
            return;
        }
        ctx.out().print(ProcessTable.of(processes, false, window).render());
        ctx.out().print(Fields.staleFootnote(processes));
    }
}
