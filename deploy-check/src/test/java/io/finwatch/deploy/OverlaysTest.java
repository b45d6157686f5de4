package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The overlays are the base with one change each, and nothing else: every difference from the default overlay is
 * listed here by path. Their components combine, and the one for clusters without the Prometheus Operator removes
 * only its kinds.
 */
class OverlaysTest {

    @Test
    void everyOverlayDirectoryIsChecked() throws IOException {
        try (Stream<Path> dirs = Files.list(Repo.path(Overlay.DIR))) {
            assertThat(dirs.map(d -> d.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(Overlay.values()).map(Overlay::dirName).toList());
        }
    }

    @Test
    void leastPrivilegeIsTheBaseAsItIs() {
        assertThat(differences(Overlay.render("docker/k8s/base"), Overlay.LEAST_PRIVILEGE.objects())).isEmpty();
    }

    @Test
    void sysAdminOnlyAddsTheCapabilityNetlinkAndTracefsToTheCollector() {
        assertThat(differences(Overlay.DEFAULT.objects(), Overlay.SYS_ADMIN.objects())).containsExactlyInAnyOrder(
                "DaemonSet finwatch-collector /spec/template/spec/containers[collector]/args/" + argsOfCollector().size(),
                // Appended after the base's own capabilities.
                "DaemonSet finwatch-collector /spec/template/spec/containers[collector]/securityContext/capabilities/add/"
                        + capabilitiesOfCollector().size(),
                // The node's tracefs, for the state-change feed (collect --state-feed).
                "DaemonSet finwatch-collector /spec/template/spec/containers[collector]/volumeMounts[host-tracefs]",
                "DaemonSet finwatch-collector /spec/template/spec/volumes[host-tracefs]");
        K8sObject ds = Overlay.SYS_ADMIN.objects().stream().filter(o -> o.kind().equals("DaemonSet")).findFirst()
                .orElseThrow();
        assertThat(Manifests.volume(ds, "host-tracefs").path("hostPath").path("path").asText())
                .isEqualTo("/sys/kernel/tracing");
    }

    @Test
    void kafkaTlsOnlyChangesTheClientPropertiesAndTheCredentialsEachWorkloadMounts() {
        List<String> diffs = differences(Overlay.DEFAULT.objects(), Overlay.KAFKA_TLS.objects());
        assertThat(diffs).contains("ConfigMap finwatch-kafka /data/client.properties")
                .allSatisfy(d -> assertThat(d).matches("ConfigMap finwatch-kafka /data/client\\.properties"
                        + "|(DaemonSet finwatch-collector|StatefulSet finwatch-streams) /spec/template/spec/volumes\\[kafka-credentials]/secret/.*"));
        assertThat(diffs).anyMatch(d -> d.startsWith("DaemonSet")).anyMatch(d -> d.startsWith("StatefulSet"));
    }

    /** An overlay of a user's own may take both components: the patches do not touch each other. */
    @Test
    void theComponentsCombine() throws IOException {
        List<K8sObject> both = userOverlay("combined", "sys-admin", "kafka-tls");
        Set<String> expected = new TreeSet<>(differences(Overlay.DEFAULT.objects(), Overlay.SYS_ADMIN.objects()));
        expected.addAll(differences(Overlay.DEFAULT.objects(), Overlay.KAFKA_TLS.objects()));
        assertThat(differences(Overlay.DEFAULT.objects(), both)).containsExactlyInAnyOrderElementsOf(expected);
    }

    /** Without the Prometheus Operator's kinds, which a cluster without it refuses, and nothing else removed. */
    @Test
    void withoutThePrometheusOperatorLeavesOutExactlyItsKinds() throws IOException {
        List<K8sObject> without = userOverlay("without-operator", "without-prometheus-operator");
        assertThat(differences(Overlay.DEFAULT.objects(), without)).containsExactlyInAnyOrder(
                "PodMonitor finwatch-collector removed", "PodMonitor finwatch-streams removed", "PrometheusRule finwatch removed");
    }

    /** An overlay as a user would write one next to ours: the base and the named components. */
    private static List<K8sObject> userOverlay(String name, String... components) throws IOException {
        Path dir = Repo.path("deploy-check/target/kustomize-" + name);
        Files.createDirectories(dir);
        String toK8s = dir.relativize(Repo.path("docker/k8s")).toString();
        List<String> lines = new ArrayList<>(List.of("apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
                "resources:", "  - " + toK8s + "/base", "components:"));
        for (String c : components) {
            lines.add("  - " + toK8s + "/components/" + c);
        }
        lines.add("");
        Files.writeString(dir.resolve("kustomization.yaml"), String.join("\n", lines));
        return Overlay.render(Repo.root().relativize(dir).toString());
    }

    private static List<String> capabilitiesOfCollector() {
        return Manifests.strings(Manifests.container(Overlay.DEFAULT.one("DaemonSet", "finwatch-collector"), "collector")
                .path("securityContext").path("capabilities").path("add"));
    }

    private static List<String> argsOfCollector() {
        return Manifests.strings(Manifests.container(Overlay.DEFAULT.one("DaemonSet", "finwatch-collector"), "collector").path("args"));
    }

    /** "Kind name /path" of every value that differs, is added or is removed; list items with a name are matched by it. */
    static List<String> differences(List<K8sObject> from, List<K8sObject> to) {
        Map<String, JsonNode> a = byId(from);
        Map<String, JsonNode> b = byId(to);
        List<String> out = new ArrayList<>();
        Set<String> ids = new TreeSet<>(a.keySet());
        ids.addAll(b.keySet());
        for (String id : ids) {
            if (!a.containsKey(id) || !b.containsKey(id)) {
                out.add(id + (a.containsKey(id) ? " removed" : " added"));
            } else {
                diff(id + " ", "", a.get(id), b.get(id), out);
            }
        }
        return out;
    }

    private static Map<String, JsonNode> byId(List<K8sObject> objects) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        objects.forEach(o -> out.put(o.kind() + " " + o.name(), o.node()));
        return out;
    }

    private static void diff(String id, String path, JsonNode a, JsonNode b, List<String> out) {
        if (a == null || b == null || a.getNodeType() != b.getNodeType() || a.isValueNode()) {
            if (a == null || !a.equals(b)) {
                out.add(id + path);
            }
            return;
        }
        if (a.isArray() && named(a) && named(b)) {
            Map<String, JsonNode> x = new LinkedHashMap<>();
            a.forEach(n -> x.put(n.path("name").asText(), n));
            Map<String, JsonNode> y = new LinkedHashMap<>();
            b.forEach(n -> y.put(n.path("name").asText(), n));
            Set<String> names = new TreeSet<>(x.keySet());
            names.addAll(y.keySet());
            names.forEach(n -> diff(id, path + "[" + n + "]", x.get(n), y.get(n), out));
        } else if (a.isArray()) {
            for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
                diff(id, path + "/" + i, a.get(i), b.get(i), out);
            }
        } else {
            Set<String> fields = new TreeSet<>();
            a.fieldNames().forEachRemaining(fields::add);
            b.fieldNames().forEachRemaining(fields::add);
            fields.forEach(f -> diff(id, path + "/" + f, a.get(f), b.get(f), out));
        }
    }

    private static boolean named(JsonNode array) {
        if (array.isEmpty()) {
            return false;
        }
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            if (!it.next().path("name").isTextual()) {
                return false;
            }
        }
        return true;
    }
}
