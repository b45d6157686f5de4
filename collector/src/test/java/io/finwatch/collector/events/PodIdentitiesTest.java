package io.finwatch.collector.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.track.KubernetesView;
import io.finwatch.collector.track.Pod;
import io.finwatch.collector.track.PodPort;
import io.finwatch.collector.track.ProcessInfo;
import io.finwatch.schemas.KubernetesApiState;
import io.finwatch.schemas.PodIdentity;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the events say of a process's pod: the cgroup's UID always, the API's names when the pod is known there. */
class PodIdentitiesTest {
    private static final String UID = "0a1b2c3d-0000-4111-8222-333344445555";
    private static final String CONTAINER = "5d2c0e6f3a1b4c7d8e9f00112233445566778899aabbccddeeff001122334455";
    private static final Pod WEB = new Pod(UID, "web-7d9f-x1", "shop", new Pod.Workload("Deployment", "web"), false, null,
            Map.of(CONTAINER, "web"));

    private static PodPort knowing(Pod pod, KubernetesView view) {
        return new PodPort() {
            @Override
            public Pod pod(String uid) {
                return pod.uid().equals(uid) ? pod : null;
            }

            @Override
            public KubernetesView view() {
                return view;
            }
        };
    }

    @Test
    void aKnownPodIsNamedDownToTheContainer() {
        ProcessInfo p = new ProcessInfo(4242, 1, "java", 0, CONTAINER, UID);
        assertThat(PodIdentities.ofProcess(p, knowing(WEB, KubernetesView.SYNCED))).isEqualTo(PodIdentity.newBuilder()
                .setPodUid(UID).setPodName("web-7d9f-x1").setK8sNamespace("shop").setContainerName("web")
                .setWorkloadKind("Deployment").setWorkloadName("web").build());
        assertThat(PodIdentities.ofPod(UID, knowing(WEB, KubernetesView.SYNCED)).getContainerName())
                .as("a namespace is the whole pod's").isNull();
    }

    @Test
    void withoutTheApiOnlyTheCgroupsUidAndOutsideAPodNothing() {
        ProcessInfo p = new ProcessInfo(4242, 1, "java", 0, CONTAINER, UID);
        assertThat(PodIdentities.ofProcess(p, PodPort.NONE)).isEqualTo(PodIdentity.newBuilder().setPodUid(UID).build());
        assertThat(PodIdentities.ofProcess(new ProcessInfo(1, 1, "init", 0, null), knowing(WEB, KubernetesView.SYNCED))).isNull();
        assertThat(PodIdentities.ofProcess(null, PodPort.NONE)).isNull();
    }

    @Test
    void theViewsStateIsTheHeartbeats() {
        assertThat(PodIdentities.state(KubernetesView.OFF)).isEqualTo(KubernetesApiState.OFF);
        assertThat(PodIdentities.state(KubernetesView.SYNCED)).isEqualTo(KubernetesApiState.SYNCED);
        assertThat(PodIdentities.state(KubernetesView.degraded("RBAC denied"))).isEqualTo(KubernetesApiState.DEGRADED);
    }
}
