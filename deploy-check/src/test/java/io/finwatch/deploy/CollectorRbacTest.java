package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * In every overlay the collector's pods run as a ServiceAccount bound to exactly the read access the pod informer
 * needs (pods get/list/watch; ReplicaSets and Jobs get, to name workloads), and know their node from the downward API.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(Overlay.class)
class CollectorRbacTest {
    private static final Set<String> GRANTS = Set.of("/pods get", "/pods list", "/pods watch", "apps/replicasets get", "batch/jobs get");

    private final Overlay overlay;
    private final K8sObject ds;
    private final JsonNode pod;

    CollectorRbacTest(Overlay overlay) {
        this.overlay = overlay;
        ds = overlay.one("DaemonSet", "finwatch-collector");
        pod = Manifests.podSpec(ds);
    }

    @Test
    void runsAsItsOwnServiceAccountBoundToReadOnlyPodsReplicaSetsAndJobs() {
        String account = pod.path("serviceAccountName").asText();
        assertThat(account).as("serviceAccountName of %s", ds).isNotBlank().isNotEqualTo("default");
        K8sObject sa = overlay.one("ServiceAccount", account);
        assertThat(sa.namespace()).isEqualTo(ds.namespace());

        List<K8sObject> bindings = overlay.ofKind("ClusterRoleBinding").stream()
                .filter(b -> bindsServiceAccount(b.node(), account, sa.namespace())).toList();
        assertThat(bindings).as("ClusterRoleBindings of ServiceAccount %s", account).hasSize(1);
        JsonNode roleRef = bindings.get(0).node().path("roleRef");
        assertThat(roleRef.path("apiGroup").asText()).isEqualTo("rbac.authorization.k8s.io");
        assertThat(roleRef.path("kind").asText()).isEqualTo("ClusterRole");
        assertThat(grants(overlay.one("ClusterRole", roleRef.path("name").asText()).node())).isEqualTo(GRANTS);
        assertThat(overlay.ofKind("RoleBinding")).as("no other grant to the collector")
                .noneMatch(b -> bindsServiceAccount(b.node(), account, sa.namespace()));
    }

    @Test
    void mountsItsTokenForThePodInformer() {
        // Without it the collector runs degraded (pods named by cgroup UIDs only) whatever the grants.
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("automountServiceAccountToken of %s", ds)
                .isTrue();
    }

    @Test
    void theStreamsPodsDoNotShareIt() {
        String collector = pod.path("serviceAccountName").asText();
        JsonNode streams = Manifests.podSpec(overlay.one("StatefulSet", "finwatch-streams"));
        assertThat(streams.path("serviceAccountName").asText("default")).isNotEqualTo(collector);
        assertThat(streams.path("automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @Test
    void knowsItsNodeFromTheDownwardApi() {
        JsonNode nodeName = Manifests.env(Manifests.container(ds, "collector")).get("NODE_NAME");
        assertThat(nodeName).as("NODE_NAME").isNotNull();
        assertThat(nodeName.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("spec.nodeName");
    }

    private static boolean bindsServiceAccount(JsonNode binding, String name, String namespace) {
        for (JsonNode s : binding.path("subjects")) {
            if (s.path("kind").asText().equals("ServiceAccount") && s.path("name").asText().equals(name)
                    && s.path("namespace").asText().equals(namespace)) {
                return true;
            }
        }
        return false;
    }

    /** "group/resource verb" for every rule; wildcards, resource names and non-resource URLs fail the check. */
    private static Set<String> grants(JsonNode role) {
        Set<String> out = new TreeSet<>();
        for (JsonNode rule : role.path("rules")) {
            assertThat(rule.has("resourceNames") || rule.has("nonResourceURLs")).as("rule %s", rule).isFalse();
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        out.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                    }
                }
            }
        }
        assertThat(out).as("grants of %s", role.path("metadata").path("name").asText()).noneMatch(g -> g.contains("*"));
        return out;
    }
}
