package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.streams.cli.query.Table.Column;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code query workloads}: the fleet's workloads by stuck, then open FIN_WAIT2 sockets. */
@Command(name = "workloads", mixinStandardHelpOptions = true,
        description = "The fleet's workloads (a pod's Deployment, StatefulSet, DaemonSet, CronJob...; a program outside Kubernetes) "
                + "ranked by sockets stuck in FIN_WAIT2, then by sockets open in FIN_WAIT2, with the dwell of their episodes that "
                + "ended within the window.")
final class WorkloadsCommand extends ApiCommand {

    @Option(names = "--k8s-namespace", paramLabel = "NAMESPACE", description = "Only this Kubernetes namespace ('' for programs in no pod).")
    String k8sNamespace;

    @Option(names = "--window", defaultValue = "1h", paramLabel = "WINDOW",
            description = "Dwell window: 'all' or a duration such as 15m, 6h, 7d. Default: ${DEFAULT-VALUE}.")
    String window;

    @Option(names = "--limit", defaultValue = "50", paramLabel = "N", description = "1 to 1000. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        Limits.check(spec, "--limit", limit);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("k8s_namespace", k8sNamespace);
        q.put("window", window);
        q.put("limit", String.valueOf(limit));
        ApiClient.Answer answer = ctx.api().get("/api/workloads", q);
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> workloads = Fields.elements(answer.json());
        if (workloads.isEmpty()) {
            ctx.out().println("no workload holds a FIN_WAIT2 socket or ended one in the last " + window);
            return;
        }
        Table t = new Table(Column.text("NAMESPACE"), Column.text("WORKLOAD"), Column.number("STUCK"), Column.number("ATTACHED"),
                Column.number("ORPHANED"), Column.number("HOSTS"), Column.number("ENDED"), Column.number("P50"), Column.number("P99"),
                Column.number("MAX"));
        for (JsonNode w : workloads) {
            String kind = w.path("kind").asText("");
            // No name: sockets whose owner no poll ever saw (an orphan closed before its first poll).
            String bare = w.path("name").asText("").isEmpty() ? Fields.NONE : w.path("name").asText();
            String name = kind.isEmpty() ? bare : kind + "/" + bare;
            String ns = w.path("k8s_namespace").asText("");
            t.row(Fields.first(w, ns.isEmpty() ? Fields.NONE : ns), name, Fields.text(w, "stuck"), Fields.text(w, "attached"),
                    Fields.text(w, "orphaned"), Fields.text(w, "hosts"),
                    // The dwell of the workload's FIN_WAIT2 episodes that ended within the window, over all its hosts.
                    Fields.text(w, "count"), Fields.ms(w, "p50_ms"), Fields.ms(w, "p99_ms"), Fields.ms(w, "max_ms"));
        }
        ctx.out().print(t.render());
        ctx.out().print(Fields.staleFootnote(workloads));
    }
}
