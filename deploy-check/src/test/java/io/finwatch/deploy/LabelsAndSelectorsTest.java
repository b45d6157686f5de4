package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.deploy.Manifests.K8sObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** In every overlay, every selector selects something, and every object carries the same app.kubernetes.io labels. */
@ParameterizedClass(name = "{0}")
@EnumSource(Overlay.class)
class LabelsAndSelectorsTest {
    private static final List<String> WORKLOADS = List.of("DaemonSet", "StatefulSet", "Deployment");
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding");

    private final Overlay overlay;

    LabelsAndSelectorsTest(Overlay overlay) {
        this.overlay = overlay;
    }

    private List<K8sObject> workloads() {
        return overlay.objects().stream().filter(o -> WORKLOADS.contains(o.kind())).toList();
    }

    @Test
    void everyServiceSelectsTheNamedPortOfAWorkloadInItsNamespace() {
        List<K8sObject> services = overlay.ofKind("Service");
        assertThat(services).isNotEmpty();
        for (K8sObject s : services) {
            List<K8sObject> selected = workloads().stream()
                    .filter(w -> w.namespace().equals(s.namespace()) && Labels.selects(s.node().path("spec").path("selector"), w))
                    .toList();
            assertThat(selected).as("workloads selected by %s", s).isNotEmpty();
            for (K8sObject w : selected) {
                s.node().path("spec").path("ports").forEach(p -> assertThat(Manifests.podSpec(w).path("containers"))
                        .as("%s port %s in %s", s, p.path("targetPort").asText(), w)
                        .anySatisfy(c -> Manifests.containerPort(c, p.path("targetPort").asText())));
            }
        }
    }

    @Test
    void everyPodMonitorScrapesANamedPortOfAWorkloadInItsNamespace() {
        List<K8sObject> monitors = overlay.ofKind("PodMonitor");
        assertThat(monitors).extracting(m -> Labels.podLabels(selectedBy(m)).get("app.kubernetes.io/component"))
                .as("a PodMonitor for each component").containsExactlyInAnyOrder("collector", "streams");
        for (K8sObject m : monitors) {
            K8sObject w = selectedBy(m);
            assertThat(m.node().path("spec").path("podMetricsEndpoints")).as("endpoints of %s", m).isNotEmpty()
                    .allSatisfy(e -> assertThat(Manifests.podSpec(w).path("containers")).as("%s port %s", m, e.path("port").asText())
                            .anySatisfy(c -> Manifests.containerPort(c, e.path("port").asText())));
        }
    }

    private K8sObject selectedBy(K8sObject monitor) {
        List<K8sObject> selected = workloads().stream().filter(w -> w.namespace().equals(monitor.namespace())
                && Labels.selectsMatch(monitor.node().path("spec").path("selector"), w)).toList();
        assertThat(selected).as("workloads selected by %s", monitor).hasSize(1);
        return selected.get(0);
    }

    @Test
    void everyWorkloadSelectsItsOwnPodsAndEveryBudgetAWorkload() {
        for (K8sObject w : workloads()) {
            assertThat(Labels.selectsMatch(w.node().path("spec").path("selector"), w)).as("%s selector", w).isTrue();
        }
        for (K8sObject pdb : overlay.ofKind("PodDisruptionBudget")) {
            assertThat(workloads()).as("workloads of %s", pdb)
                    .anySatisfy(w -> assertThat(Labels.selectsMatch(pdb.node().path("spec").path("selector"), w)).isTrue());
        }
    }

    @Test
    void everyObjectIsLabelledAndInTheFinwatchNamespace() {
        List<K8sObject> all = new ArrayList<>(overlay.objects());
        all.addAll(Manifests.templates());
        for (K8sObject o : all) {
            assertThat(Manifests.stringMap(o.node().path("metadata").path("labels")))
                    .as("labels of %s", o)
                    .containsEntry("app.kubernetes.io/name", "finwatch")
                    .containsEntry("app.kubernetes.io/instance", "finwatch")
                    .containsEntry("app.kubernetes.io/part-of", "finwatch");
            if (CLUSTER_SCOPED.contains(o.kind())) {
                assertThat(o.namespace()).as("namespace of cluster-scoped %s", o).isEmpty();
            } else {
                assertThat(o.namespace()).as("namespace of %s", o).isEqualTo("finwatch");
            }
        }
        for (K8sObject w : workloads()) {
            assertThat(Labels.podLabels(w)).as("pod labels of %s", w)
                    .containsEntry("app.kubernetes.io/name", "finwatch")
                    .containsKey("app.kubernetes.io/component");
        }
    }
}
