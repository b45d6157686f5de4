package io.finwatch.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
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

/**
 * A small HTTP server on the JDK's built-in {@link HttpServer}: enough for /metrics, /healthz and a JSON API,
 * without a web framework on every fleet host.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService pool;

    private HttpEndpoint(HttpServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    /**
     * Binds {@code address}; a port already in use is an {@link IllegalStateException} whose message names the
     * address and the option that set it, not a stack trace.
     */
    public static HttpEndpoint bind(HostPort address, String optionName, int threads) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 64);
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
        return new HttpEndpoint(server, pool);
    }

    public HttpEndpoint route(String pathPrefix, HttpHandler handler) {
        server.createContext(pathPrefix, exchange -> {
            try (exchange) {
                handler.handle(exchange);
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

    /** The bound port: differs from the requested one when that was 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
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
