package io.finwatch.streams.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.streams.cli.query.FakeApi;
import io.finwatch.streams.cli.query.FakeApi.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in real headless Chromium against a fake API (JSON shaped after docs/api.md): what it renders
 * from each endpoint, and its banners when the API refuses. The page only runs at all if its Content-Security-Policy
 * hashes match its inline script and style, so every test here also checks the handler's CSP.
 */
class DashboardPageTest {

    FakeApi api;
    HeadlessChromium chromium;

    @BeforeEach
    void start() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "dashboard"));
        chromium = HeadlessChromium.require(Files.createTempDirectory(work, "page-"));
        api = new FakeApi();
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
        }
    }

    @Test
    void rendersHostsProcessesDwellAndTheAnomalyFeedFromTheApi() throws Exception {
        api.onFile("/api/hosts", "hosts.json").onFile("/api/top/processes", "top.json").onFile("/api/anomalies", "anomalies.json")
                .onFile("/api/workloads", "workloads.json");

        String dom = chromium.dumpDom(api.url(), 5000);

        assertThat(dom).contains("id=\"banner\" role=\"status\" aria-live=\"polite\" data-state=\"ok\" hidden=\"\"");
        assertThat(dom).containsPattern("id=\"last-updated\"[^>]*data-updated-at=\"20\\d\\d-[^\"]+\"");
        // Stacked bar per host with open FIN_WAIT2; the silent host with none is in the table only.
        assertThat(dom).containsPattern("<g data-host=\"node-17\" data-attached=\"2\" data-orphaned=\"1\">");
        assertThat(dom).doesNotContain("<g data-host=\"edge-gateway-01.eu-west\"");
        assertThat(dom).containsPattern("<tr data-host=\"edge-gateway-01.eu-west\" data-stale=\"true\"><th scope=\"row\" class=\"stale\">");
        assertThat(dom).contains("SILENT since");
        assertThat(dom).containsPattern("<tr data-host=\"node-17\" data-pid=\"4242\" data-comm=\"kube-proxy\"");
        assertThat(dom).containsPattern("data-comm=\"kube-proxy\" data-p50-ms=\"1003\" data-p90-ms=\"1510\" data-p99-ms=\"61023\" data-max-ms=\"61023\"");
        // Newest first, as the API sent them.
        assertThat(dom).containsSubsequence("data-anomaly-id=\"a-3\" data-kind=\"COLLECTOR_SILENT\"", "data-anomaly-id=\"a-2\" data-kind=\"STUCK\" data-host=\"node-17\" data-pid=\"4242\" data-comm=\"kube-proxy\"",
                "data-anomaly-id=\"a-1\" data-kind=\"RESOLVED\"");
        assertThat(dom).contains("attached, shutdown WR, recv_q 0");
        // Grouped by workload: the pod's controller, or the program's name outside Kubernetes.
        assertThat(dom).containsPattern("<tr data-k8s-namespace=\"kube-system\" data-workload=\"kube-proxy\" data-kind=\"DaemonSet\" data-stuck=\"1\"");
        assertThat(dom).contains("DaemonSet/kube-proxy");
        assertThat(dom).contains("pod kube-system/kube-proxy-x7k2p");
        assertThat(api.seen()).extracting(FakeApi.Seen::path).contains("/", "/api/hosts", "/api/top/processes", "/api/anomalies",
                "/api/workloads");
        assertThat(api.seen()).filteredOn(s -> s.path().equals("/api/top/processes")).extracting(FakeApi.Seen::query)
                .contains("by=attached&limit=10", "by=p99&limit=12&window=1h");
        chromium.screenshot(api.url(), Path.of("target", "dashboard-fake-api.png"), 5000);
    }

    @Test
    void dataFromTheApiIsShownAsTextNeverAsMarkup() throws Exception {
        String evil = "<img src=x onerror=document.title='owned'>";
        api.on("/api/hosts", Reply.json(FakeApi.resource("hosts.json").replace("node-17", evil.replace("'", "\\u0027"))))
                .on("/api/top/processes", Reply.json("[]")).on("/api/anomalies", Reply.json("[]")).on("/api/workloads", Reply.json("[]"));

        String dom = chromium.dumpDom(api.url(), 5000);

        assertThat(dom).contains("data-state=\"ok\"").contains("&lt;img src=x onerror=document.title='owned'&gt;");
        assertThat(dom).doesNotContain("<img").doesNotContain("<title>owned</title>");
        assertThat(dom).contains("No process holds a FIN_WAIT2 socket.").containsPattern("id=\"anomaly-empty\" class=\"empty\">");
    }

    @Test
    void unavailableShowsARetryingBanner() throws Exception {
        api.on("/api/hosts", new Reply(503, Map.of("Retry-After", "2"),
                "{\"status\":503,\"error\":\"unavailable\",\"message\":\"kafka streams is REBALANCING\",\"retry_after_s\":2}"))
                .on("/api/top/processes", Reply.json("[]")).on("/api/anomalies", Reply.json("[]")).on("/api/workloads", Reply.json("[]"));

        String dom = chromium.dumpDom(api.url(), 3000);

        assertThat(dom).containsPattern("id=\"banner\"[^>]*data-state=\"unavailable\">The detector is not ready: kafka streams is REBALANCING\\. Retrying in 5 s");
        assertThat(dom).contains("id=\"token-form\" hidden=\"\"");
    }

    @Test
    void unauthorizedAsksForTheTokenAndStopsPolling() throws Exception {
        api.requireToken("s3cret").onFile("/api/hosts", "hosts.json").on("/api/top/processes", Reply.json("[]")).on("/api/anomalies", Reply.json("[]"))
                .on("/api/workloads", Reply.json("[]"));

        String dom = chromium.dumpDom(api.url(), 12_000);

        assertThat(dom).containsPattern("id=\"banner\"[^>]*data-state=\"unauthorized\">The API requires a token");
        assertThat(dom).containsPattern("<form id=\"token-form\">").contains("id=\"token-input\" type=\"password\"");
        // 12 s of page time at a 5 s refresh would have been three rounds of five requests had it kept polling.
        assertThat(api.seen()).filteredOn(s -> s.path().startsWith("/api/")).hasSizeLessThanOrEqualTo(5);
    }
}
