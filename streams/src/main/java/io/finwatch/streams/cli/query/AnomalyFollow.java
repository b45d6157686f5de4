package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * {@code anomalies --follow}: polls {@code /api/anomalies} with {@code since} moved up to the newest anomaly seen,
 * prints each anomaly once (by {@code anomaly_id}), oldest first, and rides out outages (503, nothing listening)
 * with one line when they start and one when they end.
 */
final class AnomalyFollow {

    /**
     * How far before the newest anomaly seen each poll starts: instances publish their stores independently, so an
     * anomaly one of them detected slightly earlier can become visible after a later one from another.
     */
    static final Duration OVERLAP = Duration.ofSeconds(30);

    private final QueryContext ctx;
    private final BiFunction<String, Integer, Map<String, String>> query;
    private final Duration interval;
    /** Printed anomalies by id, with their detected_at; only those inside the overlap are kept. */
    private final Map<String, Instant> printed = new HashMap<>();
    private final Table table = AnomalyTable.empty();
    private Instant newest;
    private boolean down;

    /** @param query the request's parameters for a {@code since} (null for none) and a {@code limit} */
    AnomalyFollow(QueryContext ctx, BiFunction<String, Integer, Map<String, String>> query, Duration interval) {
        this.ctx = ctx;
        this.query = query;
        this.interval = interval;
    }

    /** Runs until the thread is interrupted or the API refuses for good (bad parameter, token, unknown host). */
    void run(String since, int firstLimit) throws ApiError {
        String from = since;
        int limit = firstLimit;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Duration pause = interval;
                try {
                    List<JsonNode> batch = Fields.elements(ctx.api().get("/api/anomalies", query.apply(from, limit)).json());
                    if (down) {
                        ctx.err().println("finwatch: the API at " + ctx.api().base() + " answers again");
                        down = false;
                    }
                    print(batch);
                    if (newest != null) {
                        from = newest.minus(OVERLAP).toString();
                    }
                    // After the first page only what is new is asked for, so the API's largest page loses nothing.
                    limit = Limits.MAX;
                } catch (ApiUnreachable e) {
                    outage(e.oneLine());
                } catch (ApiError e) {
                    if (e.status() != 503) {
                        throw e;
                    }
                    outage(e.oneLine());
                    Duration retryAfter = Duration.ofSeconds(e.retryAfterSeconds().orElse(0));
                    if (retryAfter.compareTo(interval) > 0) {
                        pause = retryAfter;
                    }
                }
                ctx.err().flush();
                Thread.sleep(pause.toMillis());
            }
        } catch (InterruptedException e) {
            // Ctrl-C in a terminal ends the JVM; an interrupt is how an embedding caller stops following.
            Thread.currentThread().interrupt();
        }
    }

    private void outage(String line) {
        if (!down) {
            ctx.err().println("finwatch: " + line + "; still following, retrying every " + Human.duration(interval.toMillis()));
            down = true;
        }
    }

    private void print(List<JsonNode> newestFirst) {
        // Anything older than what was asked for is either printed already (and forgotten) or, under a lag longer than
        // the overlap, lost to every poll alike; printing it would break "each once".
        Instant asked = newest == null ? null : newest.minus(OVERLAP);
        List<JsonNode> fresh = new ArrayList<>();
        for (JsonNode a : newestFirst) {
            String id = a.hasNonNull("anomaly_id") ? a.get("anomaly_id").asText() : a.toString();
            Instant at = detectedAt(a);
            if (asked != null && at != null && at.isBefore(asked)) {
                continue;
            }
            if (!printed.containsKey(id)) {
                printed.put(id, at);
                fresh.add(0, a);
            }
            if (at != null && (newest == null || at.isAfter(newest))) {
                newest = at;
            }
        }
        if (newest != null) {
            Instant horizon = newest.minus(OVERLAP);
            printed.values().removeIf(at -> at != null && at.isBefore(horizon));
        }
        if (fresh.isEmpty()) {
            return;
        }
        if (ctx.json()) {
            // One JSON object per line: a stream a script can read line by line.
            fresh.forEach(a -> ctx.out().println(a.toString()));
        } else {
            fresh.forEach(a -> AnomalyTable.add(table, a, ctx.human()));
            ctx.out().print(table.drain());
        }
        ctx.out().flush();
    }

    private static Instant detectedAt(JsonNode a) {
        try {
            return a.hasNonNull("detected_at") ? Instant.parse(a.get("detected_at").asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
