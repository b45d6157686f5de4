package io.finwatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Kubernetes objects of docker/k8s (as an overlay renders them; see {@link Overlay}), the Secret templates that
 * are deliberately left out of the kustomizations, and the compose file.
 */
final class Manifests {
    static final String K8S_DIR = "docker/k8s";
    static final String COMPOSE = "docker/docker-compose.yml";
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    record K8sObject(String file, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        String namespace() {
            return node.path("metadata").path("namespace").asText();
        }

        @Override
        public String toString() {
            return kind() + " " + name() + " (" + file + ")";
        }
    }

    private Manifests() {
    }

    static List<JsonNode> readAll(Path file) {
        try {
            return readAll(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every non-empty document of a YAML stream; {@code source} names it in errors. */
    static List<JsonNode> readAll(String yaml, String source) {
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> out = new ArrayList<>();
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    out.add(doc);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + source, e);
        }
    }

    /** The objects of the default overlay. */
    static List<K8sObject> k8s() {
        return Overlay.DEFAULT.objects();
    }

    static K8sObject one(String kind, String name) {
        return Overlay.DEFAULT.one(kind, name);
    }

    static List<K8sObject> ofKind(String kind) {
        return Overlay.DEFAULT.ofKind(kind);
    }

    /** The objects of every {@code *.template.yaml} under docker/k8s: Secrets a user creates, never applied by kustomize. */
    static List<K8sObject> templates() {
        try (Stream<Path> files = Files.walk(Repo.path(K8S_DIR))) {
            List<K8sObject> out = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".template.yaml")).sorted().toList()) {
                readAll(f).forEach(doc -> out.add(new K8sObject(Repo.root().relativize(f).toString(), doc)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static K8sObject template(String kind, String name) {
        return templates().stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in any *.template.yaml under " + K8S_DIR));
    }

    static JsonNode compose() {
        List<JsonNode> docs = readAll(Repo.path(COMPOSE));
        if (docs.size() != 1) {
            throw new AssertionError(COMPOSE + " should be one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Map<String, String> stringMap(JsonNode object) {
        Map<String, String> out = new TreeMap<>();
        object.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static JsonNode podSpec(K8sObject workload) {
        return workload.node().path("spec").path("template").path("spec");
    }

    static JsonNode container(K8sObject workload, String name) {
        for (JsonNode c : podSpec(workload).path("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError(workload + " has no container " + name);
    }

    /** The container's env as name -> entry (value or valueFrom). */
    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> out = new TreeMap<>();
        container.path("env").forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }

    static JsonNode volumeMount(JsonNode container, String mountPath) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(mountPath)) {
                return m;
            }
        }
        throw new AssertionError("container " + container.path("name").asText() + " mounts nothing at " + mountPath);
    }

    static JsonNode volume(K8sObject workload, String name) {
        for (JsonNode v : podSpec(workload).path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError(workload + " has no volume " + name);
    }

    static int containerPort(JsonNode container, String portName) {
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals(portName)) {
                return p.path("containerPort").asInt();
            }
        }
        throw new AssertionError("container " + container.path("name").asText() + " has no port named " + portName);
    }
}
