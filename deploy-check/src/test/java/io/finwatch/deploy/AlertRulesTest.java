package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The alert rules, checked by Prometheus' own promtool: the file is valid, its unit series give the expected alerts,
 * every alert has a case where it fires, and the PrometheusRule of every overlay holds exactly the same groups.
 */
class AlertRulesTest {
    static final String RULES = "docker/prometheus/finwatch-rules.yml";
    static final String RULE_TESTS = "docker/prometheus/finwatch-rules.test.yml";

    @Test
    void promtoolAcceptsTheRules() {
        assertThat(Tools.ok(Tools.PROMTOOL, "promtool", "check", "rules", Repo.path(RULES).toString())).contains("SUCCESS");
    }

    @Test
    void theUnitSeriesGiveTheExpectedAlerts() {
        Tools.Result r = Tools.run(Tools.PROMTOOL, "promtool", "test", "rules", Repo.path(RULE_TESTS).toString());
        assertThat(r.exit()).as("promtool test rules:\n%s%s", r.stdout(), r.stderr()).isZero();
    }

    @Test
    void everyAlertHasAUnitTestWhereItFires() {
        Set<String> firing = new TreeSet<>();
        for (JsonNode test : yaml(RULE_TESTS).path("tests")) {
            for (JsonNode t : test.path("alert_rule_test")) {
                if (!t.path("exp_alerts").isEmpty()) {
                    firing.add(t.path("alertname").asText());
                }
            }
        }
        assertThat(firing).containsExactlyInAnyOrderElementsOf(alertNames(yaml(RULES)));
    }

    @Test
    void everyAlertHasASeverityASummaryAndADescription() {
        for (JsonNode group : yaml(RULES).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                assertThat(rule.path("labels").path("severity").asText()).as("severity of %s", rule.path("alert").asText())
                        .isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText()).as("summary of %s", rule.path("alert").asText()).isNotBlank();
                assertThat(rule.path("annotations").path("description").asText()).as("description of %s", rule.path("alert").asText())
                        .isNotBlank();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Overlay.class)
    void thePrometheusRuleHoldsTheRulesFile(Overlay overlay, @TempDir Path tmp) throws IOException {
        List<K8sObject> rules = overlay.ofKind("PrometheusRule");
        assertThat(rules).hasSize(1);
        JsonNode spec = rules.get(0).node().path("spec");
        assertThat(spec).isEqualTo(yaml(RULES));
        // And Prometheus reads what the operator would hand it.
        Path file = tmp.resolve("prometheus-rule.json");
        Files.writeString(file, spec.toString());
        assertThat(Tools.ok(Tools.PROMTOOL, "promtool", "check", "rules", file.toString())).contains("SUCCESS");
    }

    static List<String> alertNames(JsonNode rules) {
        List<String> out = new ArrayList<>();
        rules.path("groups").forEach(g -> g.path("rules").forEach(r -> out.add(r.path("alert").asText())));
        return out;
    }

    static JsonNode yaml(String file) {
        List<JsonNode> docs = Manifests.readAll(Repo.path(file));
        assertThat(docs).as(file).hasSize(1);
        return docs.get(0);
    }
}
