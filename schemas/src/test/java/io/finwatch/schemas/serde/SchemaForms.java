package io.finwatch.schemas.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;

/** The JSON forms schemas and records are stored and compared in. */
final class SchemaForms {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Marks Java's string type on generated schemas; not part of a language-neutral released schema. */
    private static final String JAVA_STRING_PROP = "avro.java.string";

    private SchemaForms() {
    }

    /** A schema as the store keeps it: self-contained, docs kept, Java-only properties dropped. */
    static JsonNode releaseTree(Schema schema) {
        return collapsePrimitives(without(tree(schema.toString()), JAVA_STRING_PROP));
    }

    static String pretty(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What written values mean beyond their encoding: the release tree minus what only steers readers
     * (docs, field and enum defaults, aliases). Left: types, names, symbols and the properties the
     * canonical form drops although they give written values their meaning, like logical types.
     */
    static JsonNode meaningTree(Schema schema) {
        JsonNode tree = releaseTree(schema);
        for (String readerOnly : List.of("doc", "default", "aliases")) {
            tree = without(tree, readerOnly);
        }
        return tree;
    }

    static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode without(JsonNode node, String key) {
        JsonNode copy = node.deepCopy();
        strip(copy, key);
        return copy;
    }

    private static void strip(JsonNode node, String key) {
        if (node instanceof ObjectNode object) {
            object.remove(key);
            object.properties().forEach(e -> strip(e.getValue(), key));
        } else if (node instanceof ArrayNode array) {
            array.forEach(child -> strip(child, key));
        }
    }

    /** {"type": "string"} (what is left once the Java property is gone) back to plain "string". */
    private static JsonNode collapsePrimitives(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.size() == 1 && object.path("type").isTextual() && PRIMITIVES.contains(object.get("type").asText())) {
                return object.get("type");
            }
            for (Map.Entry<String, JsonNode> e : List.copyOf(object.properties())) {
                object.set(e.getKey(), collapsePrimitives(e.getValue()));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, collapsePrimitives(array.get(i)));
            }
        }
        return node;
    }

    private static final Set<String> PRIMITIVES = Set.of("null", "boolean", "int", "long", "float", "double", "bytes", "string");
}
