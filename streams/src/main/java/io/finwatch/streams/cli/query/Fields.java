package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Cells from the API's JSON elements; an absent or null field is {@code -} (docs/api.md sends null, not nothing). */
final class Fields {
    static final String NONE = "-";

    private Fields() {
    }

    /**
     * Where an entry time came from, as a column shows it: {@code kernel} (the socket's own time in its state, exact)
     * or {@code poll} (the first poll that saw it, up to one interval late); none from detectors before it was kept.
     */
    static String timeSource(JsonNode n, String field) {
        return switch (n.path(field).asText("")) {
            case "KERNEL" -> "kernel";
            case "OBSERVED" -> "poll";
            default -> NONE;
        };
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? NONE : v.asText();
    }

    static String ms(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.canConvertToLong() ? NONE : Human.duration(v.asLong());
    }

    static String iso(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** {@code ip:port}, with brackets around an IPv6 address; {@code -} for a COLLECTOR_SILENT anomaly's null socket. */
    static String address(JsonNode n, String ipField, String portField) {
        String ip = text(n, ipField);
        String port = text(n, portField);
        if (ip.equals(NONE)) {
            return NONE;
        }
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    static boolean stale(JsonNode n) {
        return n.path("stale").asBoolean(false);
    }

    /** The first cell of a row, with the marker {@link #staleFootnote} explains when the element is stale. */
    static String first(JsonNode n, String value) {
        return stale(n) ? value + "*" : value;
    }

    static String staleFootnote(List<JsonNode> elements) {
        return elements.stream().anyMatch(Fields::stale)
                ? "* stale: read from a standby replica or a store still restoring; it may lag the active copy\n" : "";
    }

    /** The top-level array the collection endpoints answer with. */
    static List<JsonNode> elements(JsonNode array) throws ApiError {
        if (array == null || !array.isArray()) {
            throw new ApiError(200, "bad_response", "expected a JSON array from the API, got " + (array == null ? "nothing" : array.getNodeType()),
                    java.util.OptionalLong.empty());
        }
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
