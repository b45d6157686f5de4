package io.finwatch.streams.query;

import io.finwatch.common.config.Converters;
import io.finwatch.common.http.Quote;
import io.finwatch.schemas.AnomalyKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** A request's query string, and the parsing of each parameter into what it means or a 400 naming it. */
public final class QueryParams {

    public static final int MAX_LIMIT = 1000;
    /** A % not followed by two hex digits (what Jetty's decoder rejects), or a non-ASCII byte's broken form. */
    private static final Pattern BAD_PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    /** The kinds a client may ask for: UNKNOWN only stands for a kind a newer writer added, never stored as such. */
    private static final Set<AnomalyKind> ASKABLE = EnumSet.complementOf(EnumSet.of(AnomalyKind.UNKNOWN));

    private final Map<String, List<String>> values;

    private QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * The request's query string as Jetty decodes it; malformed percent-encoding is a 400 that quotes the first
     * pair it spoils.
     */
    public static QueryParams of(Request request) {
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        } catch (RuntimeException malformed) {
            throw badEncoding(request.getHttpURI().getQuery());
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Fields.Field f : fields) {
            out.put(f.getName(), List.copyOf(f.getValues()));
        }
        return new QueryParams(out);
    }

    private static ApiException badEncoding(String rawQuery) {
        String spoiled = rawQuery;
        String parameter = "query string";
        for (String pair : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            if (BAD_PERCENT.matcher(pair).find()) {
                spoiled = pair;
                int eq = pair.indexOf('=');
                parameter = eq > 0 && !BAD_PERCENT.matcher(pair.substring(0, eq)).find() ? pair.substring(0, eq) : parameter;
                break;
            }
        }
        return ApiException.badRequest(Quote.prefix(parameter), "bad percent-encoding in '" + Quote.prefix(spoiled)
                + "' (a % must be followed by two hexadecimal digits)");
    }

    /** The single value of {@code name}, null when absent; repeating it is a 400. */
    public String single(String name) {
        List<String> v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw ApiException.badRequest(name, "given " + v.size() + " times; give it once");
        }
        return v.get(0);
    }

    public int limit(int defaultLimit) {
        String v = single("limit");
        if (v == null) {
            return defaultLimit;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("limit", "expected an integer from 1 to " + MAX_LIMIT + "; got '" + Quote.prefix(v) + "'");
    }

    public DwellWindow window() {
        return DwellWindow.parse(single("window"));
    }

    /** {@code since}: an ISO-8601 instant, or a duration back from {@code now}; null when absent. */
    public Instant since(Instant now) {
        String v = single("since");
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException notAnInstant) {
            try {
                Duration back = Converters.duration(v);
                if (!back.isNegative()) {
                    return now.minus(back);
                }
            } catch (IllegalArgumentException notADuration) {
                // reported below
            }
        }
        throw ApiException.badRequest("since", "expected an ISO-8601 instant (2026-11-22T10:15:30Z) or a duration back from now (10m, 2h); got '"
                + Quote.prefix(v) + "'");
    }

    /** {@code kind}, repeatable or comma-separated; every kind when absent. */
    public Set<AnomalyKind> kinds() {
        List<String> v = values.get("kind");
        if (v == null) {
            return EnumSet.allOf(AnomalyKind.class);
        }
        Set<AnomalyKind> kinds = EnumSet.noneOf(AnomalyKind.class);
        for (String item : v) {
            for (String k : item.split(",")) {
                AnomalyKind kind = ASKABLE.stream().filter(a -> a.name().equals(k.trim())).findFirst()
                        .orElseThrow(() -> ApiException.badRequest("kind", "expected one or more of " + ASKABLE + "; got '" + Quote.prefix(k) + "'"));
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** {@code by} of the top-processes ranking. */
    public TopBy by() {
        String v = single("by");
        if (v == null) {
            return TopBy.ATTACHED;
        }
        return switch (v) {
            case "attached" -> TopBy.ATTACHED;
            case "p99" -> TopBy.P99;
            default -> throw ApiException.badRequest("by", "expected attached or p99; got '" + Quote.prefix(v) + "'");
        };
    }

    /** How {@code /api/top/processes} ranks. */
    public enum TopBy { ATTACHED, P99 }
}
