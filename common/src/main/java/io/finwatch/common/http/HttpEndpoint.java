package io.finwatch.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.finwatch.common.config.HostPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A small HTTP server on the JDK's built-in {@link HttpServer} (or {@link HttpsServer} given an
 * {@link SSLContext}): enough for /metrics, /healthz and a JSON API, without a web framework on every fleet host.
 */
public final class HttpEndpoint implements AutoCloseable {
    static {
        // The JDK server writes a response's headers and body separately; with Nagle on, the body waits for the
        // client's delayed ACK, adding ~40 ms to every keep-alive request. Read once, when the first server is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool;
    private final boolean tls;
    private Guard guard;
    private boolean routed;

    /**
     * Decides, before any route's handler runs, whether a request may go on. A guard that refuses has answered
     * the exchange itself (e.g. 401 with its own body and headers).
     */
    @FunctionalInterface
    public interface Guard {
        boolean admit(HttpExchange exchange) throws IOException;
    }

    private HttpEndpoint(HttpServer server, ExecutorService pool, boolean tls) {
        this.server = server;
        this.pool = pool;
        this.tls = tls;
    }

    /**
     * Binds {@code address}; a port already in use is an {@link IllegalStateException} whose message names the
     * address and the option that set it, not a stack trace.
     */
    public static HttpEndpoint bind(HostPort address, String optionName, int threads) {
        return bind(address, optionName, threads, null);
    }

    /** As {@link #bind(HostPort, String, int)}, serving HTTPS with {@code tls} when it is not null. */
    public static HttpEndpoint bind(HostPort address, String optionName, int threads, SSLContext tls) {
        HttpServer server;
        try {
            InetSocketAddress socket = new InetSocketAddress(address.host(), address.port());
            if (tls == null) {
                server = HttpServer.create(socket, 64);
            } else {
                HttpsServer https = HttpsServer.create(socket, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (BindException e) {
            throw new IllegalStateException(address + " is already in use or not available (" + optionName
                    + "): " + e.getMessage() + "; choose another address with " + optionName, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " (" + optionName + ")", e);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "http-" + address.port() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        return new HttpEndpoint(server, pool, tls != null);
    }

    /**
     * Puts {@code g} in front of every route. Set it before the first route, so no route is ever served unguarded.
     *
     * @throws IllegalStateException when a route was added already
     */
    public HttpEndpoint guard(Guard g) {
        if (routed) {
            throw new IllegalStateException("the guard must be set before the first route");
        }
        this.guard = g;
        return this;
    }

    public HttpEndpoint route(String pathPrefix, HttpHandler handler) {
        routed = true;
        Guard g = guard;
        server.createContext(pathPrefix, exchange -> {
            try (exchange) {
                if (g == null || g.admit(exchange)) {
                    handler.handle(exchange);
                }
            } catch (RuntimeException | IOException e) {
                // A handler that failed before answering still owes the client a response.
                if (exchange.getResponseCode() == -1) {
                    respond(exchange, 500, "application/json",
                            jsonObject(Map.of("error", "internal error", "detail", String.valueOf(e.getMessage()))));
                }
            }
        });
        return this;
    }

    public HttpEndpoint start() {
        server.start();
        return this;
    }

    /** Whether it serves HTTPS. */
    public boolean tls() {
        return tls;
    }

    /** The bound port: differs from the requested one when that was 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers with {@code body}; to a HEAD request with the headers only (the JDK server refuses a HEAD body). */
    public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A JSON object of string fields, e.g. an error body. */
    public static String jsonObject(Map<String, ?> fields) {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + fields, e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
