package io.finwatch.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.common.config.HostPort;
import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.HttpLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The handler over a real loopback HTTP server: the page at / and /index.html, JSON errors elsewhere. */
class DashboardHandlerTest {

    HttpEndpoint server;
    HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        server = HttpEndpoint.bind(new HostPort("127.0.0.1", 0), "--http", HttpLimits.metricsOnly()).route("/", new DashboardHandler()).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> send(String path, String method) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return http.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesOneSelfContainedPageAtTheRootAndIndexHtml() throws Exception {
        HttpResponse<String> root = send("/", "GET");
        HttpResponse<String> index = send("/index.html", "GET");

        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(root.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(index.body()).isEqualTo(root.body());
        assertThat(root.body()).startsWith("<!doctype html>").contains("id=\"hosts-chart\"", "id=\"top-processes\"", "id=\"dwell-chart\"", "id=\"anomaly-feed\"");
        // Self-contained: nothing is fetched from elsewhere, only the same origin's /api.
        assertThat(root.body().replace("'http://www.w3.org/2000/svg'", "")).doesNotContain("http://", "https://", "src=\"", "<link", "@import")
                .contains("'/api/hosts'");
    }

    @Test
    void theCspPinsTheInlineScriptAndStyleAndNothingElse() throws Exception {
        HttpResponse<String> root = send("/", "GET");
        String html = root.body();
        String script = html.substring(html.indexOf("<script>") + 8, html.indexOf("</script>"));

        assertThat(root.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp)
                .startsWith("default-src 'none';")
                .contains("script-src '" + DashboardHandler.sha256(script) + "';", "connect-src 'self';", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline", "unsafe-eval"));
    }

    @Test
    void headHasTheHeadersOnlyOtherMethodsAre405OtherPaths404Json() throws Exception {
        HttpResponse<String> head = send("/", "HEAD");
        HttpResponse<String> post = send("/", "POST");
        HttpResponse<String> other = send("/favicon.ico", "GET");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        assertThat(post.body()).contains("\"error\":\"method_not_allowed\"");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(other.body()).isEqualTo("{\"status\":404,\"error\":\"not_found\",\"message\":\"no such path: /favicon.ico\"}");
    }
}
