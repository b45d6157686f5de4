package io.finwatch.streams.query;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLContext;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Sends a request on to another instance's {@code application.server}, marked with {@link #HOP_HEADER} so that
 * it is answered there from local stores and never forwarded again. An instance that does not answer in time
 * is a 503: the caller retries once the group has noticed and moved its partitions.
 */
public final class Forwarder {

    public static final String HOP_HEADER = "X-Finwatch-Hop";
    /** Headers of another instance's answer that are passed on to the caller. */
    private static final List<String> RELAYED = List.of("Retry-After", Answer.STALE_HEADER, Answer.PARTITIONS_HEADER);
    /** A dead owner stays in the metadata until its session times out: give the group that long before retrying. */
    static final int UNREACHABLE_RETRY_S = 5;

    private final HttpClient client;
    private final String scheme;
    private final String token;
    private final Duration timeout;

    /**
     * @param tls     trust for https to the other instances, null for plain http
     * @param token   the bearer token the instances share, null when none is configured
     * @param timeout for connecting and for the whole answer
     */
    public Forwarder(SSLContext tls, String token, Duration timeout) {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.client = b.build();
        this.scheme = tls == null ? "http" : "https";
        this.token = token;
        this.timeout = timeout;
    }

    /** Starts the request; the future fails with an {@link ApiException} 503 when the instance does not answer. */
    public CompletableFuture<Answer> get(HostInfo target, String pathAndQuery) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(scheme + "://" + hostPort(target) + pathAndQuery)).timeout(timeout)
                .header(HOP_HEADER, "1").GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        return client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofString()).handle((rsp, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                throw ApiException.unavailable("instance " + hostPort(target) + " did not answer (" + describe(cause)
                        + "); retry once the group has moved its partitions", UNREACHABLE_RETRY_S);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : RELAYED) {
                rsp.headers().firstValue(name).ifPresent(v -> headers.put(name, v));
            }
            return new Answer(rsp.statusCode(), rsp.body(), headers);
        });
    }

    /** Blocking {@link #get}; unwraps the 503. */
    public Answer getNow(HostInfo target, String pathAndQuery) {
        try {
            return get(target, pathAndQuery).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw e;
        }
    }

    private static String hostPort(HostInfo h) {
        return (h.host().contains(":") ? "[" + h.host() + "]" : h.host()) + ":" + h.port();
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
