package io.finwatch.collector.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * fabric8's mock API server in CRUD mode (objects created, updated and deleted through the client are listed and
 * watched as a real API server would), with RBAC that a test can take away: a denied resource answers 403 with the
 * API server's Status, as an unbound ServiceAccount gets.
 *
 * <p>The mock's CRUD store filters on metadata fields only; a {@code spec.nodeName} field selector would match
 * nothing there. The selectors pods were asked with are recorded (so a test checks the collector asks for its own
 * node only), and taken off before the store answers: the other node's pods then reach the collector as they never
 * would from a real API server, and its own check of {@code spec.nodeName} must drop them.
 */
final class MockApi implements AutoCloseable {
    /** Path prefixes denied now, e.g. "/api/v1/pods" or "/apis/apps/v1/namespaces/". */
    final Set<String> denied = ConcurrentHashMap.newKeySet();
    final KubernetesMockServer server;
    /** The field selectors pods were listed or watched with. */
    final Set<String> podFieldSelectors = ConcurrentHashMap.newKeySet();

    private static final java.util.regex.Pattern SELECTOR = java.util.regex.Pattern.compile("fieldSelector=([^&]*)&?");

    MockApi() {
        var responses = new HashMap<io.fabric8.mockwebserver.ServerRequest,
                java.util.Queue<io.fabric8.mockwebserver.ServerResponse>>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher rbac = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                for (String prefix : denied) {
                    if (path.startsWith(prefix) || path.matches(prefix)) {
                        return forbidden(path);
                    }
                }
                if (path.startsWith("/api/v1/pods?") && path.contains("fieldSelector=")) {
                    java.util.regex.Matcher m = SELECTOR.matcher(path);
                    if (m.find()) {
                        podFieldSelectors.add(java.net.URLDecoder.decode(m.group(1),
                                java.nio.charset.StandardCharsets.UTF_8));
                        String stripped = SELECTOR.matcher(path).replaceFirst("").replace("?&", "?");
                        request = new RecordedRequest(request.getRequestLine().replace(path, stripped),
                                request.method(), stripped, request.getHeaders(), request.getBody());
                    }
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, rbac, false);
        server.init();
    }

    /** A client for the collector: its own, closed by NodePods. */
    KubernetesClient client() {
        return server.createClient();
    }

    private static MockResponse forbidden(String path) {
        String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"pods is forbidden: User \\\"system:serviceaccount:finwatch:finwatch-collector\\\" "
                + "cannot list resource \\\"pods\\\" in API group \\\"\\\" at the cluster scope\","
                + "\"reason\":\"Forbidden\",\"details\":{\"kind\":\"pods\"},\"code\":403}";
        return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(body);
    }

    @Override
    public void close() {
        server.destroy();
    }
}
