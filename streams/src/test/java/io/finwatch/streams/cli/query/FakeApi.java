package io.finwatch.streams.cli.query;

import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.HttpLimits;
import io.finwatch.streams.dashboard.DashboardHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A stand-in for the query API on a real loopback socket: answers each path with a canned status, headers and
 * body (JSON files shaped after docs/api.md), serves the dashboard at {@code /}, and records what it was asked.
 */
public final class FakeApi implements AutoCloseable {

    /** One canned answer. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public static Reply json(String body) {
            return new Reply(200, Map.of("Content-Type", "application/json; charset=utf-8"), body);
        }

        public static Reply error(int status, String error, String message, Map<String, String> headers) {
            return new Reply(status, headers, "{\"status\":" + status + ",\"error\":\"" + error + "\",\"message\":\"" + message + "\"}");
        }
    }

    /** What one request carried. */
    public record Seen(String path, String query, String authorization) {
    }

    private final HttpEndpoint server;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;

    public FakeApi() throws IOException {
        server = HttpEndpoint.bind(new HostPort("127.0.0.1", 0), "--http", HttpLimits.metricsOnly());
        DashboardHandler dashboard = new DashboardHandler();
        server.route("/", (req, rsp, cb) -> {
            // Raw: a test checks that the client percent-encoded what it put into the path.
            String path = req.getHttpURI().getPath();
            String auth = req.getHeaders().get(HttpHeader.AUTHORIZATION);
            seen.add(new Seen(path, req.getHttpURI().getQuery(), auth));
            if (!path.startsWith("/api/")) {
                dashboard.handle(req, rsp, cb);
                return;
            }
            String token = requiredToken;
            if (token != null && !("Bearer " + token).equals(auth)) {
                send(req, rsp, cb, Reply.error(401, "unauthorized", "this endpoint needs Authorization: Bearer <token> (--http-token)",
                        Map.of("WWW-Authenticate", "Bearer realm=\"finwatch\"")));
                return;
            }
            Reply r = replies.get(path);
            send(req, rsp, cb, r != null ? r : Reply.error(404, "not_found", "no such path: " + path, Map.of()));
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    public FakeApi on(String path, Reply reply) {
        replies.put(path, reply);
        return this;
    }

    /** Answers {@code path} with a JSON file from this package's test resources. */
    public FakeApi onFile(String path, String resource) {
        return on(path, Reply.json(resource(resource)));
    }

    public FakeApi requireToken(String token) {
        this.requiredToken = token;
        return this;
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    public static String resource(String name) {
        try (InputStream in = FakeApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name + " next to " + FakeApi.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void send(Request req, Response rsp, Callback cb, Reply r) {
        r.headers().forEach((k, v) -> rsp.getHeaders().put(k, v));
        String type = r.headers().getOrDefault("Content-Type", "application/json; charset=utf-8");
        HttpEndpoint.respond(req, rsp, cb, r.status(), type, r.body());
    }

    @Override
    public void close() {
        server.close();
    }
}
