package io.finwatch.streams.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** The test's view of one instance's API: https when given a trust store, the bearer token when given one. */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client;
    private final String base;
    private final String token;

    ApiClient(int port, Path truststore, String token) {
        SSLContext tls = truststore == null ? null : TlsContexts.client(truststore, TestKeystore.PASSWORD.toCharArray());
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.client = b.build();
        this.base = (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
        this.token = token;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(path, "GET", token);
    }

    HttpResponse<String> send(String path, String method, String bearer, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            req.header("Authorization", "Bearer " + bearer);
        }
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET that must be 200; the body as a JSON tree. */
    JsonNode json(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " -> " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
