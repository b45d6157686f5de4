package io.finwatch.schemas.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;

/**
 * A finwatch record as a plain JSON object, for people and for tools like jq: field names as in the
 * schema (snake_case), in schema order; a union shows its value, without Avro's {"type": value}
 * wrapper; enums as their symbol; timestamp-millis as an ISO-8601 UTC string
 * ({@code 2025-03-01T12:00:00.250Z}, the fraction omitted when zero); arrays as arrays; maps as
 * objects with keys sorted; null as null.
 *
 * <p>Works on generated (specific) records and on generic records, e.g. one read with an old writer
 * schema. Stateless and thread-safe.
 */
public final class RecordJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecordJson() {
    }

    public static ObjectNode toJson(IndexedRecord record) {
        return recordNode(record.getSchema(), record);
    }

    /** One line of compact JSON. */
    public static String toJsonString(IndexedRecord record) {
        try {
            return MAPPER.writeValueAsString(toJson(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static ObjectNode recordNode(Schema schema, IndexedRecord record) {
        ObjectNode node = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
            node.set(field.name(), value(field.schema(), record.get(field.pos()), field.name()));
        }
        return node;
    }

    private static JsonNode value(Schema schema, Object value, String path) {
        if (value == null) {
            return NODES.nullNode();
        }
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.TimestampMillis) {
            Instant instant = value instanceof Instant i ? i : Instant.ofEpochMilli(((Number) value).longValue());
            return NODES.textNode(instant.toString());
        }
        return switch (schema.getType()) {
            case UNION -> value(branch(schema, value, path), value, path);
            case RECORD -> recordNode(schema, (IndexedRecord) value);
            case ENUM, STRING -> NODES.textNode(value.toString());
            case INT -> NODES.numberNode(((Number) value).intValue());
            case LONG -> NODES.numberNode(((Number) value).longValue());
            case FLOAT -> NODES.numberNode(((Number) value).floatValue());
            case DOUBLE -> NODES.numberNode(((Number) value).doubleValue());
            case BOOLEAN -> NODES.booleanNode((Boolean) value);
            case NULL -> NODES.nullNode();
            case ARRAY -> array(schema.getElementType(), (Collection<?>) value, path);
            case MAP -> map(schema.getValueType(), (Map<?, ?>) value, path);
            case BYTES -> NODES.textNode(base64(((ByteBuffer) value).duplicate()));
            case FIXED -> NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
        };
    }

    private static Schema branch(Schema union, Object value, String path) {
        List<Schema> nonNull = union.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
        if (nonNull.size() == 1) {
            return nonNull.get(0);
        }
        int index = FinwatchData.get().resolveUnion(union, value);
        if (index < 0) {
            throw new IllegalArgumentException(path + ": " + value.getClass().getName() + " fits no branch of " + union);
        }
        return union.getTypes().get(index);
    }

    private static ArrayNode array(Schema element, Collection<?> values, String path) {
        ArrayNode node = NODES.arrayNode();
        for (Object v : values) {
            node.add(value(element, v, path + "[]"));
        }
        return node;
    }

    private static ObjectNode map(Schema valueSchema, Map<?, ?> values, String path) {
        // Sorted: a decoded map has no order, and output that changes between runs breaks diffs and golden files.
        Map<String, Object> sorted = new TreeMap<>();
        values.forEach((k, v) -> sorted.put(k.toString(), v));
        ObjectNode node = NODES.objectNode();
        sorted.forEach((k, v) -> node.set(k, value(valueSchema, v, path + "." + k)));
        return node;
    }

    private static String base64(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
