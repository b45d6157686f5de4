package io.finwatch.streams.cli.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.StringJoiner;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * GETs from the query API (docs/api.md). A non-2xx answer becomes an {@link ApiError}, no answer an
 * {@link ApiUnreachable}; the bearer token is sent on every request and never appears in either message.
 */
public final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    /** One answer: the body as the API sent it, and whether it says some element is stale. */
    public record Answer(String body, boolean stale) {
        public JsonNode json() throws ApiError {
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new ApiError(200, "bad_response", "the API answered with something that is not JSON: " + e.getOriginalMessage(),
                        OptionalLong.empty());
            }
        }
    }

    /**
     * @param base  e.g. {@code http://127.0.0.1:8080}; a path (behind a reverse proxy) is kept as a prefix
     * @param token the bearer token, or null when the API runs without one
     * @param tls   trust for an https URL, or null for the JDK's default trust store
     */
    public ApiClient(URI base, String token, SSLContext tls, Duration timeout) {
        this.base = base;
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.timeout = timeout;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    public URI base() {
        return base;
    }

    /** {@code path} is e.g. {@code /api/hosts}; query parameters with a null value are left out. */
    public Answer get(String path, Map<String, String> query) throws ApiError, ApiUnreachable, InterruptedException {
        URI uri = URI.create(stripSlash(base.toString()) + path + queryString(query));
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException | UnresolvedAddressException e) {
            throw new ApiUnreachable(base, why(e), e);
        }
        if (resp.statusCode() / 100 != 2) {
            throw error(resp);
        }
        return new Answer(resp.body(), resp.headers().firstValue("X-Finwatch-Stale").map("true"::equalsIgnoreCase).orElse(false));
    }

    /** A path segment such as a host name, percent-encoded. */
    public static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String queryString(Map<String, String> query) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return q.toString();
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String why(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer in time";
            }
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t instanceof SSLException) {
                return "TLS failed: " + t.getMessage() + "; trust the server's certificate with --truststore";
            }
        }
        return String.valueOf(e.getMessage());
    }

    private static ApiError error(HttpResponse<String> resp) {
        int status = resp.statusCode();
        OptionalLong retryAfter = resp.headers().firstValue("Retry-After").map(ApiClient::seconds).orElse(OptionalLong.empty());
        String error = null;
        String message = null;
        try {
            JsonNode body = JSON.readTree(resp.body());
            if (body != null && body.isObject()) {
                error = body.path("error").isTextual() ? body.get("error").asText() : null;
                message = body.path("message").isTextual() ? body.get("message").asText() : null;
                if (retryAfter.isEmpty() && body.path("retry_after_s").canConvertToLong()) {
                    retryAfter = OptionalLong.of(body.get("retry_after_s").asLong());
                }
            }
        } catch (IOException e) {
            // Not the API's JSON (a proxy's page, say): the status and the start of the body below say enough.
        }
        if (message == null) {
            String text = resp.body() == null ? "" : resp.body().strip().replaceAll("\\s+", " ");
            message = "the server answered " + status + (text.isEmpty() ? "" : ": " + (text.length() > 160 ? text.substring(0, 160) + "…" : text));
        }
        return new ApiError(status, error, message, retryAfter);
    }

    private static OptionalLong seconds(String header) {
        try {
            return OptionalLong.of(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            // An HTTP-date Retry-After is legal but the finwatch API never sends one.
            return OptionalLong.empty();
        }
    }
}
