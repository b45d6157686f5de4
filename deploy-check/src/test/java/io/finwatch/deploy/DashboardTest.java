package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard: every query is PromQL that Prometheus' own parser accepts (each becomes a recording rule
 * for promtool), on the data source variable, and it charts every metric the alert rules read. That each query
 * returns data from a real Prometheus scraping finwatch is the e2e AlertingLiveTest.
 */
class DashboardTest {
    static final String DASHBOARD = "docker/grafana/finwatch.json";
    private static final Pattern METRIC = Pattern.compile("\\b(finwatch_[a-z0-9_]+|kafka_[a-z0-9_]+)\\b");

    private static JsonNode dashboard() throws IOException {
        return new ObjectMapper().readTree(Repo.path(DASHBOARD).toFile());
    }

    /** Every query target of every panel (rows included). */
    static List<JsonNode> targets(JsonNode dashboard) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : dashboard.path("panels")) {
            p.path("targets").forEach(out::add);
            p.path("panels").forEach(inner -> inner.path("targets").forEach(out::add));
        }
        return out;
    }

    @Test
    void everyQueryIsValidPromqlOnTheDataSourceVariable(@TempDir Path tmp) throws IOException {
        JsonNode d = dashboard();
        assertThat(d.path("uid").asText()).isNotBlank();
        assertThat(d.path("templating").path("list")).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        List<JsonNode> targets = targets(d);
        assertThat(targets).isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        ObjectNode rules = json.createObjectNode();
        ArrayNode recording = rules.putArray("groups").addObject().put("name", "dashboard").putArray("rules");
        int n = 0;
        for (JsonNode t : targets) {
            assertThat(t.path("datasource").path("uid").asText()).as("data source of %s", t).isEqualTo("${datasource}");
            String expr = t.path("expr").asText();
            assertThat(expr).as("expr of %s", t).isNotBlank();
            recording.addObject().put("record", "dashboard:query_" + n++).put("expr", expr.replace("$__rate_interval", "5m"));
        }
        Path file = tmp.resolve("dashboard-queries.json");
        Files.writeString(file, rules.toString());
        assertThat(Tools.ok(Tools.PROMTOOL, "promtool", "check", "rules", file.toString())).contains("SUCCESS");
    }

    @Test
    void chartsEveryMetricTheAlertRulesRead() throws IOException {
        Set<String> charted = new TreeSet<>();
        targets(dashboard()).forEach(t -> charted.addAll(metrics(t.path("expr").asText())));
        Set<String> alerted = new TreeSet<>();
        AlertRulesTest.yaml(AlertRulesTest.RULES).path("groups")
                .forEach(g -> g.path("rules").forEach(r -> alerted.addAll(metrics(r.path("expr").asText()))));
        assertThat(alerted).isNotEmpty();
        assertThat(charted).containsAll(alerted);
    }

    static Set<String> metrics(String expr) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
