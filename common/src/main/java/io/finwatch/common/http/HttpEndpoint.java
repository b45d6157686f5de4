package io.finwatch.common.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.finwatch.common.config.HostPort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP server of /metrics, /healthz, the query API and the dashboard, on Jetty's core server (no servlet API).
 * What a client may hold is bounded by {@link HttpLimits}: a request must arrive whole within a deadline, idle
 * connections close, headers are capped, connections are counted, and the routes marked limited (the query API)
 * share a fixed number of threads, so /healthz keeps answering when the API is saturated. Errors of every kind
 * are JSON ({@link JsonErrorHandler}).
 */
public final class HttpEndpoint implements AutoCloseable {

    public static final String JSON = "application/json; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;
    private final HttpLimits limits;
    private final RequestDeadline deadline;
    private final boolean tls;
    private final PathMappingsHandler routes = new PathMappingsHandler();
    private final List<String> limitedSpecs = new ArrayList<>();
    private Guard guard;

    /**
     * Decides, before any route's handler runs, whether a request may go on. A guard that refuses has answered
     * the request itself (e.g. 401 with its own body and headers) and completed the callback.
     */
    @FunctionalInterface
    public interface Guard {
        boolean admit(Request request, Response response, Callback callback) throws Exception;
    }

    /** Answers one request; it must complete the callback (e.g. through {@link #respond}). Runs on a worker thread. */
    @FunctionalInterface
    public interface Route {
        void handle(Request request, Response response, Callback callback) throws Exception;
    }

    private HttpEndpoint(Server server, ServerConnector connector, HttpLimits limits, RequestDeadline deadline, boolean tls) {
        this.server = server;
        this.connector = connector;
        this.limits = limits;
        this.deadline = deadline;
        this.tls = tls;
    }

    /** As {@link #bind(HostPort, String, HttpLimits, SSLContext)} over plain HTTP. */
    public static HttpEndpoint bind(HostPort address, String optionName, HttpLimits limits) {
        return bind(address, optionName, limits, null);
    }

    /**
     * Binds {@code address} now (nothing is served before {@link #start}); a port already in use is an
     * {@link IllegalStateException} whose message names the address and the option that set it.
     *
     * @param tls HTTPS with this context; null for plain HTTP
     */
    public static HttpEndpoint bind(HostPort address, String optionName, HttpLimits limits, SSLContext tls) {
        QueuedThreadPool pool = new QueuedThreadPool(limits.threads(), 2);
        pool.setName("http-" + optionName.replaceFirst("^-+", ""));
        pool.setDaemon(true);
        Server server = new Server(pool);
        // Nothing here is worth a graceful drain: the detector has committed its work before its HTTP server stops.
        server.setStopTimeout(0);
        HttpConfiguration config = new HttpConfiguration();
        config.setRequestHeaderSize(limits.maxHeaderBytes());
        config.setSendServerVersion(false);
        config.setSendXPoweredBy(false);
        HttpConnectionFactory http = new HttpConnectionFactory(config);
        ServerConnector connector;
        if (tls == null) {
            connector = new ServerConnector(server, 1, 1, http);
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setSslContext(tls);
            connector = new ServerConnector(server, 1, 1, new SslConnectionFactory(ssl, http.getProtocol()), http);
        }
        connector.setHost(address.host());
        connector.setPort(address.port());
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // The JDK's default listen backlog is 50: a burst beyond it (a scrape storm, a reconnecting fleet) would have
        // its SYNs dropped and retried a second later. The kernel caps this at net.core.somaxconn.
        connector.setAcceptQueueSize(1024);
        RequestDeadline deadline = new RequestDeadline(limits.requestTimeout(), connector.getScheduler());
        connector.addBean(deadline);
        server.addConnector(connector);
        NetworkConnectionLimit connectionLimit = new NetworkConnectionLimit(limits.maxConnections(), connector);
        connectionLimit.setEndPointIdleTimeout(HttpLimits.OVERLOAD_IDLE_TIMEOUT.toMillis());
        server.addBean(connectionLimit);
        server.setErrorHandler(new JsonErrorHandler());
        try {
            connector.open();
        } catch (IOException e) {
            if (!(e instanceof BindException) && !(e.getCause() instanceof BindException)) {
                throw new UncheckedIOException("cannot listen on " + address + " (" + optionName + ")", e);
            }
            throw new IllegalStateException(address + " is already in use or not available (" + optionName
                    + "): " + (e.getCause() == null ? e : e.getCause()).getMessage() + "; choose another address with " + optionName, e);
        }
        return new HttpEndpoint(server, connector, limits, deadline, tls != null);
    }

    /** Puts {@code g} in front of every route. */
    public HttpEndpoint guard(Guard g) {
        requireNotStarted();
        this.guard = g;
        return this;
    }

    /**
     * Serves {@code pathSpec} ({@code /healthz} exactly, {@code /api/*} and everything under it, {@code /} for
     * whatever no other route claims) outside the API's thread budget.
     */
    public HttpEndpoint route(String pathSpec, Route route) {
        requireNotStarted();
        routes.addMapping(PathSpec.from(pathSpec), new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                route.handle(request, response, callback);
                return true;
            }
        });
        return this;
    }

    /**
     * As {@link #route}, within {@link HttpLimits#maxApiRequests()} requests at once; the rest wait (without a
     * thread) up to {@link HttpLimits#apiQueueTimeout()} and are then a 503 with Retry-After.
     */
    public HttpEndpoint limitedRoute(String pathSpec, Route route) {
        if (limits.maxApiRequests() < 1) {
            throw new IllegalStateException("these HTTP limits allow no limited routes");
        }
        route(pathSpec, route);
        limitedSpecs.add(pathSpec);
        return this;
    }

    public HttpEndpoint start() {
        requireNotStarted();
        Handler handler = routes;
        if (!limitedSpecs.isEmpty()) {
            // A request that finds no turn in time is a 503 from Jetty, answered in JSON with a Retry-After by JsonErrorHandler.
            QoSHandler qos = new QoSHandler(handler);
            qos.setMaxRequestCount(limits.maxApiRequests());
            qos.setMaxSuspend(limits.apiQueueTimeout());
            limitedSpecs.forEach(qos::includePath);
            handler = qos;
        }
        if (guard != null) {
            handler = new Guarded(guard, handler);
        }
        // The root context: Jetty's path mappings resolve a request's path within one.
        server.setHandler(new ContextHandler(handler, "/"));
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot start the HTTP server on " + connector.getHost() + ":" + port() + ": " + e, e);
        }
        return this;
    }

    private void requireNotStarted() {
        if (server.isStarted() || server.isStarting()) {
            throw new IllegalStateException("routes and the guard are set before start()");
        }
    }

    /** Whether it serves HTTPS. */
    public boolean tls() {
        return tls;
    }

    /** The bound port: differs from the requested one when that was 0. */
    public int port() {
        return connector.getLocalPort();
    }

    public HttpLimits limits() {
        return limits;
    }

    /** Connections closed because their request did not arrive whole within {@link HttpLimits#requestTimeout()}. */
    public long closedForRequestTimeout() {
        return deadline.closed();
    }

    /**
     * Answers with {@code body} and its Content-Length; to a HEAD request with the headers only.
     */
    public static void respond(Request request, Response response, Callback callback, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Integer.toString(bytes.length));
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    /** A JSON object of the fields, e.g. an error body. */
    public static String jsonObject(Map<String, ?> fields) {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + fields, e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping closes the listening socket first; what fails after that holds no port.
            org.slf4j.LoggerFactory.getLogger(HttpEndpoint.class).warn("stopping the HTTP server: {}", e.toString());
        }
    }

    /** Runs the guard before the routes. */
    private static final class Guarded extends Handler.Wrapper {
        private final Guard guard;

        Guarded(Guard guard, Handler next) {
            super(next);
            this.guard = guard;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            return !guard.admit(request, response, callback) || super.handle(request, response, callback);
        }
    }
}
