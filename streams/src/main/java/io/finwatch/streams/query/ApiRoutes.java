package io.finwatch.streams.query;

import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.Quote;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.query.QueryParams.TopBy;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/...}: Jetty's path mappings pick the endpoint (URI templates give the decoded {@code {host}}), the
 * {@link QueryRouter} finds who answers, and the answer or the error is written as JSON. Parameters are parsed
 * before any routing, so a bad one is a 400 wherever it lands.
 */
public final class ApiRoutes implements HttpEndpoint.Route {

    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    /** The routes' path spec on the endpoint. */
    public static final String PATH_SPEC = "/api/*";

    private final QueryRouter router;
    private final Clock clock;
    private final PathMappings<Endpoint> endpoints = new PathMappings<>();

    /** What one request to a matched endpoint carries. */
    private record Call(Map<String, String> path, QueryParams params, boolean hop, String pathAndQuery, Instant now) {
        String host() {
            return path.get("host");
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        Answer answer(Call call);
    }

    public ApiRoutes(QueryRouter router, Clock clock) {
        this.router = router;
        this.clock = clock;
        endpoints.put(new UriTemplatePathSpec("/api/hosts"),
                c -> router.fleet(c.hop(), c.pathAndQuery(), HostReader::all, HostView.class, Orderings.HOSTS, Integer.MAX_VALUE));
        endpoints.put(new UriTemplatePathSpec("/api/hosts/{host}/finwait2"), c -> router.keyed(c.host(), c.hop(), c.pathAndQuery(), s -> {
            HostReader.requireKnown(s, c.host());
            return FinWait2Reader.of(s, c.host(), c.now());
        }));
        endpoints.put(new UriTemplatePathSpec("/api/hosts/{host}/closewait"), c -> router.keyed(c.host(), c.hop(), c.pathAndQuery(), s -> {
            HostReader.requireKnown(s, c.host());
            return FinWait2Reader.of(s, c.host(), c.now(), TcpState.CLOSE_WAIT);
        }));
        endpoints.put(new UriTemplatePathSpec("/api/hosts/{host}/pairs"), c -> router.keyed(c.host(), c.hop(), c.pathAndQuery(), s -> {
            HostReader.requireKnown(s, c.host());
            return FinWait2Reader.pairs(s, c.host(), c.now());
        }));
        endpoints.put(new UriTemplatePathSpec("/api/hosts/{host}/processes"), c -> {
            DwellWindow window = c.params().window();
            return router.keyed(c.host(), c.hop(), c.pathAndQuery(), s -> {
                HostReader.requireKnown(s, c.host());
                return ProcessReader.ofHost(s, c.host(), window, c.now());
            });
        });
        endpoints.put(new UriTemplatePathSpec("/api/anomalies"), this::anomalies);
        endpoints.put(new UriTemplatePathSpec("/api/workloads"), this::workloads);
        endpoints.put(new UriTemplatePathSpec("/api/top/processes"), c -> {
            TopBy by = c.params().by();
            DwellWindow window = c.params().window();
            int limit = c.params().limit(10);
            return router.fleet(c.hop(), c.pathAndQuery(), s -> ProcessReader.top(s, by, window, c.now(), limit), ProcessView.class,
                    by == TopBy.ATTACHED ? Orderings.BY_ATTACHED : Orderings.BY_P99, limit);
        });
    }

    /** The fleet's workloads; each instance answers per partition, the asked one sums a workload's partitions. */
    private Answer workloads(Call c) {
        String ns = c.params().single("k8s_namespace");
        int limit = c.params().limit(50);
        DwellWindow window = c.params().window();
        Answer all = router.fleet(c.hop(), c.pathAndQuery(), s -> WorkloadReader.of(s, ns, window, c.now()), WorkloadView.class,
                WorkloadReader.ORDER,
                Integer.MAX_VALUE);
        if (c.hop() || all.status() != 200) {
            return all;
        }
        try {
            return Answer.of(WorkloadReader.combine(ApiJson.readList(all.body(), WorkloadView.class), limit));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("our own answer is not WorkloadView JSON: " + e.getOriginalMessage(), e);
        }
    }

    private Answer anomalies(Call c) {
        QueryParams params = c.params();
        AnomalyReader.Filter filter = new AnomalyReader.Filter(params.kinds(), params.since(c.now()), params.limit(100),
                params.single("k8s_namespace"), params.single("workload"));
        String host = params.single("host");
        if (host == null || host.isEmpty()) {
            return router.fleet(c.hop(), c.pathAndQuery(), s -> AnomalyReader.all(s, filter), AnomalyView.class, Orderings.ANOMALIES,
                    filter.limit());
        }
        return router.keyed(host, c.hop(), c.pathAndQuery(), s -> {
            HostReader.requireKnown(s, host);
            return AnomalyReader.ofHost(s, host, filter);
        });
    }

    @Override
    public void handle(Request request, Response response, Callback callback) {
        Answer answer;
        try {
            answer = answer(request, response);
        } catch (ApiException e) {
            answer = Answer.error(e);
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", request.getMethod(), Quote.prefix(request.getHttpURI().getPathQuery()), e);
            answer = new Answer(500, HttpEndpoint.jsonObject(Map.of("status", 500, "error", "internal",
                    "message", "internal error (see the server's log)")), Map.of());
        }
        send(request, response, callback, answer);
    }

    /** Writes an answer; also used by the other routes for their JSON errors. */
    public static void send(Request request, Response response, Callback callback, Answer answer) {
        answer.headers().forEach((k, v) -> response.getHeaders().put(k, v));
        HttpEndpoint.respond(request, response, callback, answer.status(), ApiJson.CONTENT_TYPE, answer.body());
    }

    private Answer answer(Request request, Response response) {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            throw ApiException.methodNotAllowed(method);
        }
        HttpURI uri = request.getHttpURI();
        QueryParams params = QueryParams.of(request);
        MatchedResource<Endpoint> matched = endpoints.getMatched(request.getHttpURI().getCanonicalPath());
        if (matched == null) {
            throw notFound(uri.getPath());
        }
        Map<String, String> path = ((UriTemplatePathSpec) matched.getPathSpec()).getPathParams(request.getHttpURI().getCanonicalPath());
        boolean hop = request.getHeaders().contains(Forwarder.HOP_HEADER);
        return matched.getResource().answer(new Call(path, params, hop, uri.getPathQuery(), clock.instant()));
    }

    public static ApiException notFound(String path) {
        return ApiException.notFound("no such path: " + Quote.prefix(path) + " (see docs/api.md: /api/hosts, /api/hosts/{host}/finwait2, "
                + "/api/hosts/{host}/closewait, /api/hosts/{host}/pairs, /api/hosts/{host}/processes, /api/anomalies, /api/top/processes, /api/workloads, /metrics, /healthz)");
    }
}
