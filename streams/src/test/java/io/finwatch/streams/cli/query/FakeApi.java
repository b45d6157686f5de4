package io.finwatch.streams.cli.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.finwatch.streams.dashboard.DashboardHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

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

    private final HttpServer server;
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile String requiredToken;

    public FakeApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        DashboardHandler dashboard = new DashboardHandler();
        server.createContext("/", ex -> {
            try (ex) {
                // Raw: a test checks that the client percent-encoded what it put into the path.
                String path = ex.getRequestURI().getRawPath();
                seen.add(new Seen(path, ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Authorization")));
                if (!path.startsWith("/api/")) {
                    dashboard.handle(ex);
                    return;
                }
                String token = requiredToken;
                if (token != null && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                    send(ex, Reply.error(401, "unauthorized", "this endpoint needs Authorization: Bearer <token> (--http-token)",
                            Map.of("WWW-Authenticate", "Bearer realm=\"finwatch\"")));
                    return;
                }
                Reply r = replies.get(path);
                send(ex, r != null ? r : Reply.error(404, "not_found", "no such path: " + path, Map.of()));
            }
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
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

    private static void send(HttpExchange ex, Reply r) throws IOException {
        byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
        r.headers().forEach(ex.getResponseHeaders()::set);
        ex.getResponseHeaders().putIfAbsent("Content-Type", List.of("application/json; charset=utf-8"));
        ex.sendResponseHeaders(r.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
