package io.finwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.finwatch.deploy.Manifests.K8sObject;
import io.finwatch.streams.config.KafkaStreamsProperties;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The streams StatefulSet of every overlay keeps its state, advertises a stable address and has a warm standby. */
@ParameterizedClass(name = "{0}")
@EnumSource(Overlay.class)
class StreamsStatefulSetTest {
    private final Overlay overlay;
    private final K8sObject sts;
    private final JsonNode spec;
    private final JsonNode container;
    private final List<String> args;

    StreamsStatefulSetTest(Overlay overlay) {
        this.overlay = overlay;
        sts = overlay.one("StatefulSet", "finwatch-streams");
        spec = sts.node().path("spec");
        container = Manifests.container(sts, "streams");
        args = Manifests.strings(container.path("args"));
    }

    @Test
    void stateDirIsOnAVolumeClaimTemplate() {
        String stateDir = Args.required(args, "--state-dir", sts.toString());
        String volume = Manifests.volumeMount(container, stateDir).path("name").asText();
        assertThat(spec.path("volumeClaimTemplates")).extracting(t -> t.path("metadata").path("name").asText())
                .contains(volume);
    }

    @Test
    void advertisesThePodsStableNameUnderItsHeadlessService() {
        String serviceName = spec.path("serviceName").asText();
        K8sObject headless = overlay.one("Service", serviceName);
        assertThat(headless.node().path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(headless.namespace()).isEqualTo(sts.namespace());
        assertThat(Labels.selects(headless.node().path("spec").path("selector"), sts)).isTrue();

        int httpPort = Args.port(Args.required(args, "--http", sts.toString()));
        assertThat(Args.required(args, "--application-server", sts.toString()))
                .isEqualTo("$(POD_NAME)." + serviceName + ".$(POD_NAMESPACE).svc.cluster.local:" + httpPort);
        Map<String, JsonNode> env = Manifests.env(container);
        assertThat(env.get("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
        assertThat(env.get("POD_NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("metadata.namespace");
    }

    @Test
    void eachPodIsAStaticGroupMemberNamedAfterItself() {
        assertThat(Args.required(args, "--group-instance-id", sts.toString())).isEqualTo("$(POD_NAME)");
        Map<String, JsonNode> env = Manifests.env(container);
        assertThat(env.get("POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath").asText()).isEqualTo("metadata.name");
        // Kafka 4.3's streams rebalance protocol refuses a group.instance.id: the classic protocol must stay.
        assertThat(env).doesNotContainKey("KAFKA_STREAMS_GROUP_PROTOCOL");
        assertThat(env).as("set once, by the option").doesNotContainKey("KAFKA_STREAMS_GROUP_INSTANCE_ID");
    }

    @Test
    void keepsAtLeastOneStandbyReplica() {
        Map<String, String> plain = new TreeMap<>();
        Manifests.env(container).forEach((k, v) -> {
            if (v.has("value")) {
                plain.put(k, v.path("value").asText());
            }
        });
        String standbys = KafkaStreamsProperties.fromEnvironment(plain).get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG);
        assertThat(standbys).as("KAFKA_STREAMS_NUM_STANDBY_REPLICAS").isNotNull();
        assertThat(Integer.parseInt(standbys)).isGreaterThanOrEqualTo(1);
        assertThat(spec.path("replicas").asInt()).as("a standby needs another instance").isGreaterThan(1);
    }

    @Test
    void listensOnAllInterfacesAndIsReadyOnHealthz() {
        String http = Args.required(args, "--http", sts.toString());
        assertThat(http).startsWith("0.0.0.0:");
        JsonNode get = container.path("readinessProbe").path("httpGet");
        assertThat(get.path("path").asText()).isEqualTo("/healthz");
        assertThat(Manifests.containerPort(container, get.path("port").asText())).isEqualTo(Args.port(http));
    }

    @Test
    void aClusterIpServiceServesTheApiOnTheHttpPort() {
        int httpPort = Args.port(Args.required(args, "--http", sts.toString()));
        assertThat(overlay.ofKind("Service")).filteredOn(s -> s.node().path("spec").path("clusterIP").asText().isEmpty()
                        && "ClusterIP".equals(s.node().path("spec").path("type").asText("ClusterIP"))
                        && Labels.selects(s.node().path("spec").path("selector"), sts))
                .anySatisfy(s -> assertThat(s.node().path("spec").path("ports")).anySatisfy(p ->
                        assertThat(Manifests.containerPort(container, p.path("targetPort").asText())).isEqualTo(httpPort)));
    }

    @Test
    void aDisruptionBudgetCoversIt() {
        assertThat(overlay.ofKind("PodDisruptionBudget"))
                .anySatisfy(p -> assertThat(Labels.selectsMatch(p.node().path("spec").path("selector"), sts)).isTrue());
    }

    @Test
    void runsAsNonRootWithAReadOnlyRoot() {
        JsonNode pod = Manifests.podSpec(sts).path("securityContext");
        assertThat(pod.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("runAsUser").asInt(0)).isPositive();
        JsonNode sc = container.path("securityContext");
        assertThat(sc.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(Manifests.strings(sc.path("capabilities").path("drop"))).containsExactly("ALL");
        assertThat(sc.path("capabilities").has("add")).isFalse();
        Manifests.volumeMount(container, "/tmp");
    }

    @Test
    void hasRequestsWithinLimits() {
        Resources.assertRequestsWithinLimits(container, "cpu", "memory");
    }
}
