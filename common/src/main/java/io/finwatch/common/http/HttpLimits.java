package io.finwatch.common.http;

import java.time.Duration;
import java.util.Objects;

/**
 * What one HTTP client may hold, so that slow, idle or oversized requests are closed instead of holding the server.
 *
 * @param requestTimeout a whole request (its headers, and its body if any) must have arrived this long after the
 *                       connection opened or after the first byte of a later request on it; otherwise the
 *                       connection is closed (a client trickling a header a byte at a time never idles)
 * @param idleTimeout    a connection with no bytes in either direction this long is closed (keep-alive between
 *                       requests, a client that stopped reading its response)
 * @param maxHeaderBytes request line and headers together; more is a 431 (a URI alone: 414)
 * @param maxConnections open connections; beyond it the server stops accepting until one closes, and idle
 *                       connections are then closed after {@link #OVERLOAD_IDLE_TIMEOUT}
 * @param threads        worker threads (the acceptor and selector included)
 * @param maxApiRequests requests of the limited routes (the query API) served at once; more wait without a
 *                       thread for up to {@code apiQueueTimeout} and are then a 503, while the other routes
 *                       (/healthz, /metrics) keep the remaining threads. 0 when no route is limited.
 * @param apiQueueTimeout how long a request of a limited route may wait for its turn
 */
public record HttpLimits(Duration requestTimeout, Duration idleTimeout, int maxHeaderBytes, int maxConnections, int threads,
                         int maxApiRequests, Duration apiQueueTimeout) {

    /** Idle connections get this little while the server is at {@link #maxConnections}. */
    public static final Duration OVERLOAD_IDLE_TIMEOUT = Duration.ofSeconds(1);
    /** The acceptor and the selector take two threads of the pool; Jetty refuses to start with fewer spare. */
    private static final int RESERVED_THREADS = 4;

    public HttpLimits {
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(apiQueueTimeout, "apiQueueTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("HTTP timeouts must be positive: " + requestTimeout + ", " + idleTimeout);
        }
        if (maxHeaderBytes < 1024 || maxConnections < 1 || maxApiRequests < 0) {
            throw new IllegalArgumentException("HTTP limits out of range: header bytes " + maxHeaderBytes + ", connections "
                    + maxConnections + ", API requests " + maxApiRequests);
        }
        if (threads < maxApiRequests + RESERVED_THREADS) {
            throw new IllegalArgumentException(threads + " HTTP threads leave none for /healthz beside " + maxApiRequests
                    + " API requests; need at least " + (maxApiRequests + RESERVED_THREADS));
        }
    }

    /** /metrics and /healthz of a collector: a scraper and a probe, a few threads. */
    public static HttpLimits metricsOnly() {
        return new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8 * 1024, 2048, 6, 0, Duration.ZERO);
    }

    /**
     * The detector's API: a forwarded request holds its thread until another instance answers, so 16 of them run at
     * once, and /healthz and /metrics keep threads of their own.
     */
    public static HttpLimits api() {
        return new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(30), 8 * 1024, 2048, 24, 16, Duration.ofSeconds(5));
    }

    public HttpLimits withRequestTimeout(Duration value) {
        return new HttpLimits(value, idleTimeout, maxHeaderBytes, maxConnections, threads, maxApiRequests, apiQueueTimeout);
    }

    public HttpLimits withApiRequests(int value, Duration queueTimeout) {
        return new HttpLimits(requestTimeout, idleTimeout, maxHeaderBytes, maxConnections, Math.max(threads, value + RESERVED_THREADS + 2),
                value, queueTimeout);
    }
}
