package io.finwatch.streams.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.streams.query.QueryParams.TopBy;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/...}: parses the path and parameters, lets the {@link QueryRouter} find who answers, and writes the
 * answer or the error as JSON. Parameters are parsed before any routing, so a bad one is a 400 wherever it lands.
 */
public final class ApiRoutes implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    public static final String PREFIX = "/api/";

    private final QueryRouter router;
    private final Clock clock;

    public ApiRoutes(QueryRouter router, Clock clock) {
        this.router = router;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        Answer answer;
        try {
            answer = answer(ex);
        } catch (ApiException e) {
            answer = Answer.error(e);
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            answer = new Answer(500, HttpEndpoint.jsonObject(Map.of("status", 500, "error", "internal",
                    "message", String.valueOf(e.getMessage()))), Map.of());
        }
        send(ex, answer);
    }

    /** Writes an answer; also used by the other routes for their JSON errors. */
    public static void send(HttpExchange ex, Answer answer) throws IOException {
        answer.headers().forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        HttpEndpoint.respond(ex, answer.status(), ApiJson.CONTENT_TYPE, answer.body());
    }

    private Answer answer(HttpExchange ex) {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            throw ApiException.methodNotAllowed(method);
        }
        URI uri = ex.getRequestURI();
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        boolean hop = ex.getRequestHeaders().containsKey(Forwarder.HOP_HEADER);
        QueryParams params = QueryParams.parse(uri.getRawQuery());
        Instant now = clock.instant();
        String[] parts = uri.getRawPath().substring(PREFIX.length()).split("/", -1);

        if (parts.length == 1 && parts[0].equals("hosts")) {
            return router.fleet(hop, pathAndQuery, HostReader::all, HostView.class, Orderings.HOSTS, Integer.MAX_VALUE);
        }
        if (parts.length == 3 && parts[0].equals("hosts") && !parts[1].isEmpty()) {
            String host = decodeSegment(parts[1]);
            if (parts[2].equals("finwait2")) {
                return router.keyed(host, hop, pathAndQuery, s -> {
                    HostReader.requireKnown(s, host);
                    return FinWait2Reader.of(s, host, now);
                });
            }
            if (parts[2].equals("processes")) {
                DwellWindow window = params.window();
                return router.keyed(host, hop, pathAndQuery, s -> {
                    HostReader.requireKnown(s, host);
                    return ProcessReader.ofHost(s, host, window, now);
                });
            }
        }
        if (parts.length == 1 && parts[0].equals("anomalies")) {
            AnomalyReader.Filter filter = new AnomalyReader.Filter(params.kinds(), params.since(now), params.limit(100));
            String host = params.single("host");
            if (host == null || host.isEmpty()) {
                return router.fleet(hop, pathAndQuery, s -> AnomalyReader.all(s, filter), AnomalyView.class, Orderings.ANOMALIES,
                        filter.limit());
            }
            return router.keyed(host, hop, pathAndQuery, s -> {
                HostReader.requireKnown(s, host);
                return AnomalyReader.ofHost(s, host, filter);
            });
        }
        if (parts.length == 2 && parts[0].equals("top") && parts[1].equals("processes")) {
            TopBy by = params.by();
            DwellWindow window = params.window();
            int limit = params.limit(10);
            return router.fleet(hop, pathAndQuery, s -> ProcessReader.top(s, by, window, now, limit), ProcessView.class,
                    by == TopBy.ATTACHED ? Orderings.BY_ATTACHED : Orderings.BY_P99, limit);
        }
        throw notFound(uri.getRawPath());
    }

    public static ApiException notFound(String path) {
        return ApiException.notFound("no such path: " + path + " (see docs/api.md: /api/hosts, /api/hosts/{host}/finwait2, "
                + "/api/hosts/{host}/processes, /api/anomalies, /api/top/processes, /metrics, /healthz)");
    }

    private static String decodeSegment(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("host", "bad percent-encoding in '" + raw + "'");
        }
    }
}
