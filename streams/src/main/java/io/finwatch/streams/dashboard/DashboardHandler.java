package io.finwatch.streams.dashboard;

import io.finwatch.common.http.HttpEndpoint;
import io.finwatch.common.http.Quote;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the dashboard, one self-contained page that polls the query API from the browser, at {@code /} and
 * {@code /index.html}. The page carries no data itself. Its inline script and style are pinned by hash in the
 * Content-Security-Policy, so nothing else (an injected script, an external resource) would run or load even if
 * API data ever reached the page as markup.
 */
public final class DashboardHandler implements HttpEndpoint.Route {

    static final String RESOURCE = "/io/finwatch/streams/dashboard/index.html";

    private final String page;
    private final String contentSecurityPolicy;

    public DashboardHandler() {
        String html = load();
        this.page = html;
        this.contentSecurityPolicy = "default-src 'none'; script-src '" + sha256(between(html, "<script>", "</script>")) + "'; style-src '"
                + sha256(between(html, "<style>", "</style>")) + "'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
                + " frame-ancestors 'none'";
    }

    @Override
    public void handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getCanonicalPath();
        if (!path.equals("/") && !path.equals("/index.html")) {
            error(request, response, callback, 404, "not_found", "no such path: " + Quote.prefix(request.getHttpURI().getPath()));
            return;
        }
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            error(request, response, callback, 405, "method_not_allowed", Quote.prefix(method) + " is not allowed; the API is read-only (GET, HEAD)");
            return;
        }
        var h = response.getHeaders();
        h.put("Content-Security-Policy", contentSecurityPolicy);
        h.put("X-Content-Type-Options", "nosniff");
        h.put("Referrer-Policy", "no-referrer");
        // A new build's page is picked up at the next load rather than after some cache expiry.
        h.put(HttpHeader.CACHE_CONTROL, "no-cache");
        HttpEndpoint.respond(request, response, callback, 200, "text/html; charset=utf-8", page);
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

    private static void error(Request request, Response response, Callback callback, int status, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", error);
        body.put("message", message);
        HttpEndpoint.respond(request, response, callback, status, HttpEndpoint.JSON, HttpEndpoint.jsonObject(body));
    }
}
