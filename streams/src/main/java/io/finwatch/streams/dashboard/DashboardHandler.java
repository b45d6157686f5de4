package io.finwatch.streams.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.finwatch.common.http.HttpEndpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the dashboard, one self-contained page that polls the query API from the browser, at {@code /} and
 * {@code /index.html}. The page carries no data itself. Its inline script and style are pinned by hash in the
 * Content-Security-Policy, so nothing else (an injected script, an external resource) would run or load even if
 * API data ever reached the page as markup.
 */
public final class DashboardHandler implements HttpHandler {

    static final String RESOURCE = "/io/finwatch/streams/dashboard/index.html";

    private final byte[] page;
    private final String contentSecurityPolicy;

    public DashboardHandler() {
        String html = load();
        this.page = html.getBytes(StandardCharsets.UTF_8);
        this.contentSecurityPolicy = "default-src 'none'; script-src '" + sha256(between(html, "<script>", "</script>")) + "'; style-src '"
                + sha256(between(html, "<style>", "</style>")) + "'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
                + " frame-ancestors 'none'";
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            error(ex, 404, "not_found", "no such path: " + ex.getRequestURI().getRawPath());
            return;
        }
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            ex.getResponseHeaders().set("Allow", "GET, HEAD");
            error(ex, 405, "method_not_allowed", method + " is not allowed; the API is read-only (GET, HEAD)");
            return;
        }
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "text/html; charset=utf-8");
        h.set("Content-Security-Policy", contentSecurityPolicy);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        // A new build's page is picked up at the next load rather than after some cache expiry.
        h.set("Cache-Control", "no-cache");
        if (method.equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, page.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(page);
        }
    }

    /** The hash source of the page's inline element, as a CSP source expression: {@code sha256-BASE64}. */
    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String between(String html, String open, String close) {
        int start = html.indexOf(open);
        int end = html.indexOf(close, start);
        if (start < 0 || end < 0 || html.indexOf(open, start + 1) >= 0) {
            throw new IllegalStateException(RESOURCE + " must hold exactly one " + open + "…" + close + " element");
        }
        return html.substring(start + open.length(), end);
    }

    private static String load() {
        try (InputStream in = DashboardHandler.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path (a broken build)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    private static void error(HttpExchange ex, int status, String error, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("message", message);
        HttpEndpoint.respond(ex, status, "application/json; charset=utf-8", HttpEndpoint.jsonObject(body));
    }
}
