package io.finwatch.collector.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.finwatch.collector.daemon.KubernetesMetrics;
import io.finwatch.collector.track.KubernetesView;
import io.finwatch.collector.track.Pod;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The informer of a node's pods against fabric8's mock API server in CRUD mode: pods created, changed and deleted
 * while it runs; owners named through a ReplicaSet's Deployment and a Job's CronJob; a pod's own fin timeout; RBAC
 * denied, then granted.
 */
class NodePodsTest {
    private static final String NODE = "node-a";
    private static final String CONTAINER_ID = "5d2c0e6f3a1b4c7d8e9f00112233445566778899aabbccddeeff001122334455";

    private MockApi api;
    private KubernetesClient admin;
    private NodePods pods;

    @BeforeEach
    void startServer() {
        api = new MockApi();
        admin = api.client();
    }

    /**
     * The server goes first, while its clients can still answer: it closes their watches' WebSockets, and a client
     * that answers completes the close at once. Closed the other way round, the server's close once ran out its 10 s
     * limit in CI ({@code Unable to close MockWebServer}), most likely waiting on a watch whose client had gone.
     */
    @AfterEach
    void stop() {
        try {
            api.close();
        } finally {
            if (pods != null) {
                pods.close();
            }
            admin.close();
        }
    }

    @Test
    void keepsTheNodesPodsWithTheirWorkloadsAsTheyAreCreatedChangedAndDeleted() {
        admin.apps().replicaSets().inNamespace("shop").resource(new ReplicaSetBuilder()
                .withNewMetadata().withName("cart-7d9f").withNamespace("shop")
                .withOwnerReferences(controller("apps/v1", "Deployment", "cart")).endMetadata()
                .withNewSpec().withReplicas(1).endSpec().build()).create();
        admin.batch().v1().jobs().inNamespace("ops").resource(new JobBuilder()
                .withNewMetadata().withName("backup-2901").withNamespace("ops")
                .withOwnerReferences(controller("batch/v1", "CronJob", "backup")).endMetadata()
                .withNewSpec().endSpec().build()).create();
        String early = create("shop", "cart-7d9f-x1", NODE, controller("apps/v1", "ReplicaSet", "cart-7d9f"), false,
                null);

        pods = NodePods.start(api.client(), NODE);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.view().state() == KubernetesView.State.SYNCED);
        assertThat(pods.pod(early)).extracting(Pod::name, Pod::namespace, Pod::workload)
                .containsExactly("cart-7d9f-x1", "shop", new Pod.Workload("Deployment", "cart"));

        // Created while watched: a CronJob's pod, a StatefulSet's, a bare pod, one on another node, one tuning the
        // fin timeout, a hostNetwork one tuning it too.
        String job = create("ops", "backup-2901-q", NODE, controller("batch/v1", "Job", "backup-2901"), false, null);
        String db = create("shop", "db-0", NODE, controller("apps/v1", "StatefulSet", "db"), false, null);
        String bare = create("default", "debug", NODE, null, false, null);
        String elsewhere = create("shop", "cart-7d9f-x2", "node-b", controller("apps/v1", "ReplicaSet", "cart-7d9f"),
                false, null);
        String tuned = create("shop", "proxy", NODE, controller("apps/v1", "DaemonSet", "proxy"), false, "7");
        String hostNet = create("kube-system", "kube-proxy-1", NODE, controller("apps/v1", "DaemonSet", "kube-proxy"),
                true, "9");
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(hostNet) != null);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(job) != null && pods.pod(tuned) != null
                && pods.pod(db) != null && pods.pod(bare) != null);
        assertThat(pods.pod(job).workload()).isEqualTo(new Pod.Workload("CronJob", "backup"));
        assertThat(pods.pod(db).workload()).isEqualTo(new Pod.Workload("StatefulSet", "db"));
        assertThat(pods.pod(bare).workload()).isEqualTo(new Pod.Workload("Pod", "debug"));
        assertThat(pods.pod(tuned).finTimeoutSeconds()).isEqualTo(7);
        assertThat(pods.pod(tuned).hostNetwork()).isFalse();
        assertThat(pods.pod(hostNet).hostNetwork()).isTrue();
        assertThat(pods.pod(early).finTimeoutSeconds()).isNull();
        assertThat(pods.pod(elsewhere)).as("another node's pod").isNull();
        assertThat(api.podFieldSelectors).containsExactly("spec.nodeName=" + NODE);
        assertThat(pods.ownerGets()).as("one get per ReplicaSet or Job, cached").isEqualTo(2);

        // Relabelled, and its container started: the container id now has a name.
        admin.pods().inNamespace("shop").withName("cart-7d9f-x1").edit(p -> new PodBuilder(p)
                .editMetadata().addToLabels("tier", "frontend").endMetadata()
                .editOrNewStatus().withContainerStatuses(new ContainerStatusBuilder().withName("cart")
                        .withContainerID("containerd://" + CONTAINER_ID).build()).endStatus().build());
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(early).containerName(CONTAINER_ID) != null);
        assertThat(pods.pod(early).containerName(CONTAINER_ID)).isEqualTo("cart");
        assertThat(pods.pod(early).workload()).isEqualTo(new Pod.Workload("Deployment", "cart"));

        admin.pods().inNamespace("default").withName("debug").delete();
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(bare) == null);
        assertThat(pods.pod(early)).isNotNull();
        assertThat(pods.view()).isEqualTo(KubernetesView.SYNCED);
        assertThat(pods.degradations()).isZero();
    }

    @Test
    void aStaticPodIsFoundUnderTheHashItsCgroupsAreNamedAfter() {
        String hash = "6e8f6b0d8a9a3c1e3e1b0d0a9c7e3b8f";
        admin.pods().inNamespace("kube-system").resource(new PodBuilder().withNewMetadata().withName("etcd-node-a")
                .withNamespace("kube-system").withUid(UUID.randomUUID().toString())
                .withAnnotations(Map.of("kubernetes.io/config.mirror", hash))
                .withOwnerReferences(controller("v1", "Node", NODE)).endMetadata()
                .withNewSpec().withNodeName(NODE).addNewContainer().withName("etcd").withImage("etcd").endContainer()
                .endSpec().build()).create();
        pods = NodePods.start(api.client(), NODE);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(hash) != null);
        assertThat(pods.pod(hash).workload()).isEqualTo(new Pod.Workload("Node", NODE));
    }

    @Test
    void rbacDeniedDegradesWithTheReasonCountsItOnceAndRecoversWhenGranted() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        String pod = create("shop", "web-1", NODE, controller("apps/v1", "ReplicaSet", "web-5c4b"), false, null);
        api.denied.add("/api/v1/pods");
        api.denied.add("/apis/apps/v1/namespaces/shop/replicasets");

        pods = NodePods.start(api.client(), NODE);
        KubernetesMetrics.bind(registry, pods);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.view().state() == KubernetesView.State.DEGRADED
                && pods.view().reason().contains("403"));
        assertThat(pods.view().reason()).contains("RBAC denied", "cannot list resource \"pods\"", NODE);
        assertThat(pods.pod(pod)).isNull();
        // The informer retries with its backoff; a fall is counted once however many retries fail.
        await().atMost(Duration.ofSeconds(20)).until(() -> registry.scrape()
                .contains("finwatch_kubernetes_api_state{state=\"DEGRADED\"} 1"));
        assertThat(registry.scrape()).contains("finwatch_kubernetes_degradations_total 1.0");

        // Pods granted, ReplicaSets still denied: the pod is named by its ReplicaSet, and the failure counted.
        api.denied.remove("/api/v1/pods");
        await().atMost(Duration.ofSeconds(60)).until(() -> pods.view().state() == KubernetesView.State.SYNCED);
        await().atMost(Duration.ofSeconds(20)).until(() -> pods.pod(pod) != null);
        assertThat(pods.pod(pod).workload()).isEqualTo(new Pod.Workload("ReplicaSet", "web-5c4b"));
        assertThat(pods.ownerGetFailures()).isEqualTo(1);
        assertThat(pods.degradations()).isEqualTo(1);
        assertThat(registry.scrape()).contains("finwatch_kubernetes_api_state{state=\"SYNCED\"} 1");
    }

    private String create(String namespace, String name, String node, OwnerReference owner, boolean hostNetwork,
                          String finTimeout) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withUid(UUID.randomUUID().toString()).endMetadata()
                .withNewSpec().withNodeName(node).withHostNetwork(hostNetwork)
                .addNewContainer().withName(name).withImage("busybox").endContainer().endSpec();
        if (owner != null) {
            b.editMetadata().withOwnerReferences(owner).endMetadata();
        }
        if (finTimeout != null) {
            b.editSpec().withNewSecurityContext().addNewSysctl("net.ipv4.tcp_fin_timeout", finTimeout)
                    .endSecurityContext().endSpec();
        }
        return admin.pods().inNamespace(namespace).resource(b.build()).create().getMetadata().getUid();
    }

    private static OwnerReference controller(String apiVersion, String kind, String name) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name)
                .withUid(UUID.randomUUID().toString()).withController(true).build();
    }
}
