package io.finwatch.streams.query;

import io.finwatch.common.config.Converters;
import io.finwatch.schemas.AnomalyKind;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A request's query string, and the parsing of each parameter into what it means or a 400 naming it. */
public final class QueryParams {

    public static final int MAX_LIMIT = 1000;

    private final Map<String, List<String>> values;

    private QueryParams(Map<String, List<String>> values) {
        this.values = values;
    }

    /** {@code rawQuery} as in {@code URI.getRawQuery()}: null or {@code a=1&b=2&b=3}. */
    public static QueryParams parse(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query string");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
                out.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            }
        }
        return new QueryParams(out);
    }

    private static String decode(String s, String parameter) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(parameter, "bad percent-encoding in '" + s + "'");
        }
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
        throw ApiException.badRequest("limit", "expected an integer from 1 to " + MAX_LIMIT + "; got '" + v + "'");
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
                + v + "'");
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
                try {
                    kinds.add(AnomalyKind.valueOf(k.trim()));
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("kind", "expected " + Arrays.toString(AnomalyKind.values()) + "; got '" + k + "'");
                }
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
            default -> throw ApiException.badRequest("by", "expected attached or p99; got '" + v + "'");
        };
    }

    /** How {@code /api/top/processes} ranks. */
    public enum TopBy { ATTACHED, P99 }
}
