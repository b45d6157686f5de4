package io.finwatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import java.util.Map;

/** Label selectors against a workload's pod template labels. */
final class Labels {
    private Labels() {
    }

    static Map<String, String> podLabels(K8sObject workload) {
        return Manifests.stringMap(workload.node().path("spec").path("template").path("metadata").path("labels"));
    }

    /** A Service-style selector (a plain map): non-empty and every pair present on the pods. */
    static boolean selects(JsonNode selector, K8sObject workload) {
        Map<String, String> wanted = Manifests.stringMap(selector);
        return !wanted.isEmpty() && podLabels(workload).entrySet().containsAll(wanted.entrySet())
                && selector.size() == wanted.size();
    }

    /** A LabelSelector ({@code matchLabels} only; the manifests use no expressions). */
    static boolean selectsMatch(JsonNode selector, K8sObject workload) {
        if (selector.has("matchExpressions")) {
            throw new AssertionError("matchExpressions are not supported by this check: " + selector);
        }
        return selects(selector.path("matchLabels"), workload);
    }
}
