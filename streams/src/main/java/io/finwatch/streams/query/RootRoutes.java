package io.finwatch.streams.query;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/**
 * Everything no other route claims: {@code GET /} goes to the dashboard when one is installed, any other path is
 * a JSON 404 (the JDK server's own 404 is an HTML page).
 */
public final class RootRoutes implements HttpHandler {

    private final HttpHandler dashboard;

    /** @param dashboard serves {@code /}; null when there is none */
    public RootRoutes(HttpHandler dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (dashboard != null && ex.getRequestURI().getPath().equals("/")) {
            dashboard.handle(ex);
            return;
        }
        ApiRoutes.send(ex, Answer.error(ApiRoutes.notFound(ex.getRequestURI().getRawPath())));
    }
}
