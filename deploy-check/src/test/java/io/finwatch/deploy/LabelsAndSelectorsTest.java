package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.deploy.Manifests.K8sObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every selector selects something, and every object carries the same app.kubernetes.io labels. */
class LabelsAndSelectorsTest {
    private static final List<String> WORKLOADS = List.of("DaemonSet", "StatefulSet", "Deployment");

    private static List<K8sObject> workloads() {
        return Manifests.k8s().stream().filter(o -> WORKLOADS.contains(o.kind())).toList();
    }

    @Test
    void everyServiceSelectsTheNamedPortOfAWorkloadInItsNamespace() {
        List<K8sObject> services = Manifests.ofKind("Service");
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
    void everyWorkloadSelectsItsOwnPodsAndEveryBudgetAWorkload() {
        for (K8sObject w : workloads()) {
            assertThat(Labels.selectsMatch(w.node().path("spec").path("selector"), w)).as("%s selector", w).isTrue();
        }
        for (K8sObject pdb : Manifests.ofKind("PodDisruptionBudget")) {
            assertThat(workloads()).as("workloads of %s", pdb)
                    .anySatisfy(w -> assertThat(Labels.selectsMatch(pdb.node().path("spec").path("selector"), w)).isTrue());
        }
    }

    @Test
    void everyObjectIsLabelledAndInTheFinwatchNamespace() {
        for (K8sObject o : Manifests.k8s()) {
            assertThat(Manifests.stringMap(o.node().path("metadata").path("labels")))
                    .as("labels of %s", o)
                    .containsEntry("app.kubernetes.io/name", "finwatch")
                    .containsEntry("app.kubernetes.io/instance", "finwatch")
                    .containsEntry("app.kubernetes.io/part-of", "finwatch");
            if (!o.kind().equals("Namespace")) {
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
