package io.finwatch.streams.query;

import io.finwatch.common.http.HttpEndpoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Everything no other route claims: {@code GET /} goes to the dashboard when one is installed, any other path is a JSON 404. */
public final class RootRoutes implements HttpEndpoint.Route {

    private final HttpEndpoint.Route dashboard;

    /** @param dashboard serves {@code /}; null when there is none */
    public RootRoutes(HttpEndpoint.Route dashboard) {
        this.dashboard = dashboard;
    }

    @Override
    public void handle(Request request, Response response, Callback callback) throws Exception {
        if (dashboard != null && request.getHttpURI().getCanonicalPath().equals("/")) {
            dashboard.handle(request, response, callback);
            return;
        }
        ApiRoutes.send(request, response, callback, Answer.error(ApiRoutes.notFound(request.getHttpURI().getPath())));
    }
}
