package io.finwatch.deploy;

import io.finwatch.deploy.Manifests.K8sObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kustomize overlays under docker/k8s/overlays, as {@code kubectl kustomize} renders them (once per test run):
 * what {@code kubectl apply -k} would send to a cluster.
 */
enum Overlay {
    LEAST_PRIVILEGE("least-privilege"),
    SYS_ADMIN("sys-admin"),
    KAFKA_TLS("kafka-tls");

    static final String DIR = "docker/k8s/overlays";
    /** What the docs tell users to apply, and what the compose file is compared with. */
    static final Overlay DEFAULT = LEAST_PRIVILEGE;

    private static final Map<Overlay, List<K8sObject>> RENDERED = new ConcurrentHashMap<>();

    private final String dirName;

    Overlay(String dirName) {
        this.dirName = dirName;
    }

    String dirName() {
        return dirName;
    }

    String path() {
        return DIR + "/" + dirName;
    }

    List<K8sObject> objects() {
        return RENDERED.computeIfAbsent(this, o -> render(o.path()));
    }

    K8sObject one(String kind, String name) {
        return objects().stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in overlay " + this));
    }

    List<K8sObject> ofKind(String kind) {
        return objects().stream().filter(o -> o.kind().equals(kind)).toList();
    }

    /** {@code kubectl kustomize DIR}: every object of the build, named after the directory it was built from. */
    static List<K8sObject> render(String dir) {
        String yaml = Tools.ok(Tools.KUBECTL, "kubectl", "kustomize", Repo.path(dir).toString());
        List<K8sObject> out = new ArrayList<>();
        Manifests.readAll(yaml, dir).forEach(doc -> out.add(new K8sObject(dir, doc)));
        if (out.isEmpty()) {
            throw new AssertionError("kubectl kustomize " + dir + " rendered nothing");
        }
        return out;
    }

    @Override
    public String toString() {
        return dirName;
    }
}
