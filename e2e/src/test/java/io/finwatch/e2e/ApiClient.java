package io.finwatch.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/** The query API of a running {@code ./finwatch local}, as a user's script would call it (docs/api.md). */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String token;

    ApiClient(int port) {
        this(port, null);
    }

    /** @param token sent as {@code Authorization: Bearer}; null for none */
    ApiClient(int port, String token) {
        this.port = port;
        this.token = token;
    }

    /** The status of a GET, with the token when this client has one. */
    int status(String path) throws IOException, InterruptedException {
        return http.send(request(path), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpRequest request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b.build();
    }

    /** The JSON answer to a GET of {@code path}; empty while the API answers 503 (Streams rebalancing or restoring). */
    Optional<JsonNode> json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(path), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return Optional.of(JSON.readTree(r.body()));
    }

    /**
     * The anomaly of {@code kind} on the socket whose local end is {@code localEndpoint} (ip:port); empty when there
     * is none, or while the API answers 503 (Streams rebalancing or restoring).
     */
    Optional<JsonNode> anomaly(String kind, String localEndpoint) throws IOException, InterruptedException {
        return anomalyOn(kind, a -> endpoint(a, "local").equals(localEndpoint));
    }

    /**
     * The anomaly of {@code kind} on the connection {@code "ip:port -> ip:port"} (local, then remote), as the terminal of
     * local prints it. Other namespaces of a busy host reuse the same loopback ports; both ends together tell them apart.
     */
    Optional<JsonNode> anomalyOnConnection(String kind, String connection) throws IOException, InterruptedException {
        return anomalyOn(kind, a -> (endpoint(a, "local") + " -> " + endpoint(a, "remote")).equals(connection));
    }

    private static String endpoint(JsonNode a, String end) {
        return a.get(end + "_ip").asText() + ":" + a.get(end + "_port").asText();
    }

    private Optional<JsonNode> anomalyOn(String kind, Predicate<JsonNode> which) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request("/api/anomalies?kind=" + kind + "&limit=1000"), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 503) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new IOException("GET /api/anomalies: " + r.statusCode() + " " + r.body());
        }
        for (JsonNode a : JSON.readTree(r.body())) {
            if (which.test(a)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}
