package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The collector DaemonSet of every overlay grants what the collector needs to see the whole host, and nothing more. */
@ParameterizedClass(name = "{0}")
@EnumSource(Overlay.class)
class CollectorDaemonSetTest {
    private final Overlay overlay;
    private final K8sObject ds;
    private final JsonNode pod;
    private final JsonNode container;
    private final List<String> args;

    CollectorDaemonSetTest(Overlay overlay) {
        this.overlay = overlay;
        ds = overlay.one("DaemonSet", "finwatch-collector");
        pod = Manifests.podSpec(ds);
        container = Manifests.container(ds, "collector");
        args = Manifests.strings(container.path("args"));
    }

    @Test
    void seesTheHostsProcessesAndNetwork() {
        assertThat(pod.path("hostPID").asBoolean()).isTrue();
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("dnsPolicy").asText()).isEqualTo("ClusterFirstWithHostNet");
    }

    @Test
    void readsTheHostsProcReadOnlyWherePathProcfsPoints() {
        String procfs = Args.required(args, "--path.procfs", ds.toString());
        assertThat(procfs).isEqualTo("/host/proc");
        JsonNode mount = Manifests.volumeMount(container, procfs);
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(Manifests.volume(ds, mount.path("name").asText()).path("hostPath").path("path").asText())
                .isEqualTo("/proc");
    }

    @Test
    void buffersInAPerNodeHostPathAtTheBufferDir() {
        String dir = Args.required(args, "--buffer-dir", ds.toString());
        JsonNode mount = Manifests.volumeMount(container, dir);
        assertThat(mount.path("readOnly").asBoolean(false)).isFalse();
        JsonNode hostPath = Manifests.volume(ds, mount.path("name").asText()).path("hostPath");
        assertThat(hostPath.path("type").asText()).isEqualTo("DirectoryOrCreate");
        assertThat(hostPath.path("path").asText()).isNotBlank();
        // Old and new pod of a node must not overlap on one buffer dir (the second would be refused).
        assertThat(ds.node().path("spec").path("updateStrategy").path("rollingUpdate").path("maxSurge").asInt(-1)).isZero();
    }

    @Test
    void hasTheOverlaysCapabilitiesOnlyAndAReadOnlyRoot() {
        JsonNode sc = container.path("securityContext");
        assertThat(Manifests.strings(sc.path("capabilities").path("drop"))).containsExactly("ALL");
        if (overlay == Overlay.SYS_ADMIN) {
            assertThat(Manifests.strings(sc.path("capabilities").path("add")))
                    .containsExactlyInAnyOrder("DAC_READ_SEARCH", "SYS_PTRACE", "NET_ADMIN", "SYS_ADMIN");
        } else {
            assertThat(Manifests.strings(sc.path("capabilities").path("add")))
                    .containsExactlyInAnyOrder("DAC_READ_SEARCH", "SYS_PTRACE", "NET_ADMIN");
        }
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(sc.path("privileged").asBoolean(false)).isFalse();
        // With a read-only root, java.io.tmpdir (JNA's native library) needs a writable volume.
        JsonNode tmp = Manifests.volume(ds, Manifests.volumeMount(container, "/tmp").path("name").asText());
        assertThat(tmp.has("emptyDir")).isTrue();
    }

    @Test
    void runsOnEveryNodeWhateverItsTaints() {
        assertThat(pod.path("tolerations")).anySatisfy(t -> {
            assertThat(t.path("operator").asText()).isEqualTo("Exists");
            assertThat(t.has("key")).as("a key would limit it to one taint").isFalse();
            assertThat(t.has("effect")).as("an effect would limit it to one kind of taint").isFalse();
        });
    }

    @Test
    void hasRequestsWithinLimits() {
        Resources.assertRequestsWithinLimits(container, "cpu", "memory");
    }

    @Test
    void probesHealthzWhereMetricsListens() {
        String metrics = Args.required(args, "--metrics", ds.toString());
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertThat(get.path("path").asText()).as(probe).isEqualTo("/healthz");
            assertThat(Manifests.containerPort(container, get.path("port").asText())).as(probe).isEqualTo(Args.port(metrics));
        }
        // kubelet probes a hostNetwork pod on the node's address: the collector must listen there.
        assertThat(metrics).startsWith("$(HOST_IP):");
        assertThat(Manifests.env(container).get("HOST_IP").path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("status.hostIP");
    }

    @Test
    void takesItsHostNameFromTheNode() {
        JsonNode host = Manifests.env(container).get("FINWATCH_HOST");
        assertThat(host).as("FINWATCH_HOST").isNotNull();
        assertThat(host.path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("spec.nodeName");
    }

    /**
     * With CAP_SYS_ADMIN the collector reads every namespace through netlink from inside it; without, it must not ask
     * for netlink, which would fall back to the files with a warning per namespace.
     */
    @Test
    void readsThroughNetlinkExactlyWhenItMaySetnsIntoEveryNamespace() {
        if (overlay == Overlay.SYS_ADMIN) {
            assertThat(Args.value(args, "--source")).hasValue("netlink");
        } else {
            assertThat(Args.value(args, "--source").orElse("")).isNotEqualTo("netlink");
        }
    }
}
