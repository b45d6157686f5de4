package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code query anomalies}: recent STUCK / RESOLVED / COLLECTOR_SILENT anomalies, newest first; {@code --follow} keeps printing new ones. */
@Command(name = "anomalies", mixinStandardHelpOptions = true,
        description = "Recent anomalies, newest first; with --follow, new ones as they are detected (oldest first) until Ctrl-C.")
final class AnomaliesCommand extends ApiCommand {

    enum Kind { STUCK, RESOLVED, COLLECTOR_SILENT }

    @Option(names = "--host", paramLabel = "HOST", description = "Only this host's anomalies.")
    String host;

    @Option(names = "--kind", split = ",", paramLabel = "KIND", description = "STUCK, RESOLVED or COLLECTOR_SILENT (repeatable or comma-separated).")
    List<Kind> kinds;

    @Option(names = "--k8s-namespace", paramLabel = "NAMESPACE",
            description = "Only anomalies of pods in this Kubernetes namespace ('' for processes in no pod).")
    String k8sNamespace;

    @Option(names = "--workload", paramLabel = "NAME",
            description = "Only anomalies of this workload: a pod's Deployment, StatefulSet, DaemonSet, CronJob... name, or the "
                    + "command name of a process in no pod.")
    String workload;

    @Option(names = "--since", paramLabel = "WHEN", description = "An ISO-8601 instant, or a duration back from now such as 10m.")
    String since;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N", description = "1 to 1000. Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--follow", description = "Keep polling and print new anomalies as they arrive, until Ctrl-C.")
    boolean follow;

    @Option(names = "--interval", defaultValue = "2s", paramLabel = "DURATION", description = "How often --follow polls. Default: ${DEFAULT-VALUE}.")
    Duration interval;

    @Override
    void run(QueryContext ctx) throws ApiError, ApiUnreachable, InterruptedException {
        Limits.check(spec, "--limit", limit);
        if (follow) {
            new AnomalyFollow(ctx, this::query, interval).run(since, limit);
            return;
        }
        ApiClient.Answer answer = ctx.api().get("/api/anomalies", query(since, limit));
        if (ctx.json()) {
            ctx.out().println(answer.body());
            return;
        }
        List<JsonNode> anomalies = Fields.elements(answer.json());
        if (anomalies.isEmpty()) {
            ctx.out().println("no anomalies" + (since == null ? "" : " since " + since));
            return;
        }
        ctx.out().print(AnomalyTable.of(anomalies, ctx.human()).render());
        ctx.out().print(Fields.staleFootnote(anomalies));
    }

    private Map<String, String> query(String sinceParam, int limitParam) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("host", host);
        q.put("kind", kinds == null || kinds.isEmpty() ? null : kinds.stream().map(Kind::name).distinct().collect(Collectors.joining(",")));
        q.put("k8s_namespace", k8sNamespace);
        q.put("workload", workload);
        q.put("since", sinceParam);
        q.put("limit", String.valueOf(limitParam));
        return q;
    }
}
