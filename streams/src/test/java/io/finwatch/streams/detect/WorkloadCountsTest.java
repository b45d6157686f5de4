package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.aggregate.DwellStats;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.query.WorkloadReader;
import io.finwatch.streams.query.WorkloadView;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open and stuck FIN_WAIT2 sockets per Kubernetes namespace and workload, through the real topology: the pod's
 * workload when the collector named it (its process's name otherwise), one store entry and one gauge series per
 * workload and host (never per socket or pod), names that arrive after the episode began, and the pod on anomalies.
 */
class WorkloadCountsTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final int FIN_TIMEOUT_S = 60;
    static final Proc WEB = new Proc(4242, "java", "c0ffee");
    static final Proc WEB_2 = new Proc(4343, "java", "c0ffef");
    static final Proc ENVOY = new Proc(777, "envoy", "beef");
    static final String POD_UID = "0a1b2c3d-0000-4111-8222-333344445555";

    @TempDir
    Path stateDir;

    private DetectorHarness det;

    @AfterEach
    void close() {
        if (det != null) {
            det.close();
        }
    }

    private static PodIdentity pod(String uid, String name, boolean named) {
        PodIdentity.Builder b = PodIdentity.newBuilder().setPodUid(uid);
        if (named) {
            b.setPodName(name).setK8sNamespace("shop").setContainerName("web").setWorkloadKind("Deployment").setWorkloadName("web");
        }
        return b.build();
    }

    private static SocketTransition inPod(SocketTransition t, PodIdentity pod) {
        t.setPod(pod);
        return t;
    }

    @Test
    void socketsAreCountedPerWorkloadAcrossItsPodsAndAnomaliesNameThePod() {
        CollectorRun run = new CollectorRun("node-1", "run-1", T0, 1000, FIN_TIMEOUT_S);
        det = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        Socket a = run.socket(40001);
        Socket b = run.socket(40002);
        Socket late = run.socket(40003);
        Socket c = run.socket(40004);
        PodIdentity first = pod(POD_UID, "web-7d9f-x1", true);
        PodIdentity second = pod("0a1b2c3d-0000-4111-8222-666677778888", "web-7d9f-x2", true);
        det.send(run.heartbeat())
                .send(inPod(run.attached(a, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, WEB), first))
                .send(inPod(run.attached(b, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, WEB_2), second))
                // The collector's API view not synced yet: the pod by its UID only, charged to the process's name.
                .send(inPod(run.attached(late, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, WEB), pod(POD_UID, null, false)))
                .send(run.attached(c, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY));
        assertThat(workloads()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "node-1|~open|shop|Deployment|web", "2/0", "node-1|~open|||java", "1/0", "node-1|~open|||envoy", "1/0"));

        // Re-reported with names (a collector restarted once its view synced): recharged to the Deployment.
        det.send(inPod(run.attached(late, null, TcpState.FIN_WAIT2, WEB), pod(POD_UID, "web-7d9f-x1", true)));
        assertThat(workloads()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "node-1|~open|shop|Deployment|web", "3/0", "node-1|~open|||envoy", "1/0"));

        List<FinWait2Anomaly> stuck = det.liveFor(run, Duration.ofSeconds(FIN_TIMEOUT_S + 5)).stream()
                .filter(x -> x.getKind() == AnomalyKind.STUCK).toList();
        assertThat(stuck).hasSize(4);
        assertThat(stuck).filteredOn(x -> x.getLocalPort() == 40001).singleElement()
                .satisfies(x -> assertThat(x.getPod()).isEqualTo(first));
        assertThat(stuck).filteredOn(x -> x.getLocalPort() == 40004).singleElement()
                .satisfies(x -> assertThat(x.getPod()).isNull());
        assertThat(gauges()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1|shop|web", 3.0, "node-1||envoy", 1.0));
        assertThat(workloads()).containsEntry("node-1|~stuck|shop|Deployment|web", "3/0")
                .containsEntry("node-1|~stuck|||envoy", "1/0");

        det.send(run.at(det.wallClock()).attached(a, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, WEB));
        det.send(run.gone(c, TcpState.FIN_WAIT2));
        assertThat(workloads()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "node-1|~open|shop|Deployment|web", "2/0", "node-1|~stuck|shop|Deployment|web", "2/0"));
        assertThat(gauges()).containsExactlyInAnyOrderEntriesOf(Map.of("node-1|shop|web", 2.0));

        // The two ended episodes in their workloads' dwell histograms on the host, beside the host's and processes'.
        det.advance(Duration.ofMinutes(1));
        assertThat(dwellCounts()).containsEntry("node-1|~dwell|shop|Deployment|web", 1L).containsEntry("node-1|~dwell|||envoy", 1L)
                .containsEntry("node-1", 2L).containsEntry("node-1|4242|java", 1L).containsEntry("node-1|777|envoy", 1L);
    }

    /** The all-time dwell store: key to how many ended episodes its histogram holds. */
    private Map<String, Long> dwellCounts() {
        KeyValueStore<String, byte[]> store = det.keyValueStore(StoreNames.DWELL_ALL_TIME);
        Map<String, Long> out = new TreeMap<>();
        try (KeyValueIterator<String, byte[]> it = store.all()) {
            it.forEachRemaining(e -> out.put(e.key, DwellStats.of(e.value).count()));
        }
        return out;
    }

    @Test
    void aWorkloadOnHostsOfSeveralPartitionsIsSummedAndRankedByStuckThenOpen() {
        WorkloadView webOnA = new WorkloadView("shop", "Deployment", "web", 3, 1, 2, 2, 1, false);
        WorkloadView webOnB = new WorkloadView("shop", "Deployment", "web", 1, 0, 1, 1, 1, false);
        WorkloadView proxy = new WorkloadView("kube-system", "DaemonSet", "kube-proxy", 9, 0, 0, 0, 3, true);
        WorkloadView envoy = new WorkloadView("", "", "envoy", 0, 2, 2, 0, 1, false);
        List<WorkloadView> ranked = WorkloadReader.combine(List.of(webOnA, proxy, envoy, webOnB), 10);
        assertThat(ranked).extracting(WorkloadView::name).containsExactly("web", "envoy", "kube-proxy");
        assertThat(ranked.get(0)).isEqualTo(new WorkloadView("shop", "Deployment", "web", 4, 1, 3, 3, 2, false));
        assertThat(WorkloadReader.combine(List.of(webOnA, proxy, envoy, webOnB), 1)).hasSize(1);
    }

    /** The open-counts store's workload entries: key to attached/orphaned. */
    private Map<String, String> workloads() {
        KeyValueStore<String, OpenCounts> store = det.keyValueStore(StoreNames.OPEN_FIN_WAIT2_WORKLOADS);
        Map<String, String> out = new TreeMap<>();
        try (KeyValueIterator<String, OpenCounts> it = store.all()) {
            it.forEachRemaining(e -> {
                if (e.key.contains("|~")) {
                    out.put(e.key, e.value.attached() + "/" + e.value.orphaned());
                }
            });
        }
        return out;
    }

    private Map<String, Double> gauges() {
        Map<String, Double> out = new TreeMap<>();
        for (Gauge g : det.metrics().registry().find("finwatch_streams_stuck_sockets").gauges()) {
            out.put(g.getId().getTag("host") + "|" + g.getId().getTag("k8s_namespace") + "|" + g.getId().getTag("workload"), g.value());
        }
        return out;
    }
}
