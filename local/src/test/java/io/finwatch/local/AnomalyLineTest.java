package io.finwatch.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.PodIdentity;
import io.finwatch.schemas.TcpState;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class AnomalyLineTest {
    private static final Instant AT = Instant.parse("2026-11-22T10:15:30.512Z");

    private static FinWait2Anomaly.Builder socket(AnomalyKind kind, AnomalyReason reason) {
        return FinWait2Anomaly.newBuilder().setAnomalyId("id").setKind(kind).setReason(reason).setHost("node")
                .setDetectedAt(AT).setNetns(4026531840L).setFamily(4)
                .setLocalIp("127.0.0.1").setLocalPort(45678).setRemoteIp("127.0.0.1").setRemotePort(9999)
                .setPid(4242).setComm("kube-proxy").setOrphaned(false).setFinTimeoutS(60).setDwellMs(63_412L);
    }

    @Test
    void anAttachedLeakNamesTheProcessTheSocketAndWhy() {
        assertThat(AnomalyLine.format(socket(AnomalyKind.STUCK, AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT).build(), ZoneOffset.UTC))
                .isEqualTo("10:15:30 STUCK node pid 4242 (kube-proxy) 127.0.0.1:45678 -> 127.0.0.1:9999 in FIN_WAIT2 63s"
                        + " > fin_timeout 60s (attached: shutdown() without close())");
    }

    @Test
    void aProcessInAPodIsNamedByItsPodAndWorkloadOrByThePodsUidAlone() {
        PodIdentity named = PodIdentity.newBuilder().setPodUid("0a1b2c3d-0000-4111-8222-333344445555").setPodName("web-7d9f-x1")
                .setK8sNamespace("shop").setContainerName("web").setWorkloadKind("Deployment").setWorkloadName("web").build();
        assertThat(AnomalyLine.format(socket(AnomalyKind.STUCK, AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT).setPod(named).build(),
                ZoneOffset.UTC)).startsWith("10:15:30 STUCK node pid 4242 (kube-proxy) pod shop/web-7d9f-x1 (Deployment web) 127.0.0.1:45678");
        PodIdentity uidOnly = PodIdentity.newBuilder().setPodUid("0a1b2c3d-0000-4111-8222-333344445555").build();
        assertThat(AnomalyLine.format(socket(AnomalyKind.RESOLVED, AnomalyReason.CONNECTION_GONE).setPod(uidOnly).build(),
                ZoneOffset.UTC)).startsWith("10:15:30 RESOLVED node pid 4242 (kube-proxy) pod 0a1b2c3d-0000-4111-8222-333344445555 127.0.0.1");
    }

    @Test
    void anOrphanNotReapedSaysSo() {
        assertThat(AnomalyLine.format(socket(AnomalyKind.STUCK, AnomalyReason.ORPHAN_NOT_REAPED).setOrphaned(true).build(), ZoneOffset.UTC))
                .endsWith("in FIN_WAIT2 63s past its reap deadline (orphaned, yet not reaped; fin_timeout 60s)");
    }

    @Test
    void aCloseWaitLeakSaysItsUnreadBytesItsVerdictAndItsPeer() {
        FinWait2Anomaly a = socket(AnomalyKind.STUCK, AnomalyReason.CLOSE_WAIT_PAST_THRESHOLD).setState(TcpState.CLOSE_WAIT).setRecvQ(201L)
                .setVerdict(io.finwatch.schemas.Verdict.LOCAL_NEVER_CLOSED)
                .setPeer(io.finwatch.schemas.PeerEnd.newBuilder().setHost("node-b").setNetns(1).setLocalIp("10.0.0.2").setLocalPort(8080)
                        .setRemoteIp("10.0.0.1").setRemotePort(45678).setState(TcpState.FIN_WAIT2).setPid(7).setComm("server").setSeenAt(AT)
                        .build())
                .build();
        assertThat(AnomalyLine.format(a, ZoneOffset.UTC)).endsWith("in CLOSE_WAIT 63s (its process never closed it, 200 bytes unread)"
                + "; LOCAL_NEVER_CLOSED, peer pid 7 (server) on node-b in FIN_WAIT2");
    }

    @Test
    void aResolutionSaysWhereTheSocketWent() {
        assertThat(AnomalyLine.format(socket(AnomalyKind.RESOLVED, AnomalyReason.LEFT_FIN_WAIT2).setToState(TcpState.TIME_WAIT).build(),
                ZoneOffset.UTC)).isEqualTo("10:15:30 RESOLVED node pid 4242 (kube-proxy) 127.0.0.1:45678 -> 127.0.0.1:9999"
                + " left FIN_WAIT2 after 63s (now TIME_WAIT)");
        assertThat(AnomalyLine.format(socket(AnomalyKind.RESOLVED, AnomalyReason.CONNECTION_GONE).build(), ZoneOffset.UTC))
                .endsWith("left FIN_WAIT2 after 63s (gone)");
    }

    @Test
    void ipv6AddressesAreBracketedAndAnUnknownOwnerIsShownAsSuch() {
        assertThat(AnomalyLine.format(socket(AnomalyKind.STUCK, AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT).setFamily(6)
                .setLocalIp("::1").setRemoteIp("::1").setPid(null).setComm(null).build(), ZoneOffset.UTC))
                .startsWith("10:15:30 STUCK node pid ? [::1]:45678 -> [::1]:9999 ");
    }

    @Test
    void aSilentCollectorHasNoSocket() {
        FinWait2Anomaly a = FinWait2Anomaly.newBuilder().setAnomalyId("id").setKind(AnomalyKind.COLLECTOR_SILENT)
                .setReason(AnomalyReason.HEARTBEATS_STOPPED).setHost("node").setDetectedAt(AT)
                .setLastHeardAt(Instant.parse("2026-11-22T10:15:10Z")).build();
        assertThat(AnomalyLine.format(a, ZoneOffset.UTC))
                .isEqualTo("10:15:30 COLLECTOR_SILENT node collector silent, last heartbeat 10:15:10 (its sockets are not being watched)");
    }

    @Test
    void theOwnerIsTheProcessWithItsPodOrTheHostsOrphansOrItsCollector() {
        assertThat(AnomalyLine.ownerOf(socket(AnomalyKind.STUCK, AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT).build()))
                .isEqualTo("pid 4242 (kube-proxy) on node");
        assertThat(AnomalyLine.ownerOf(socket(AnomalyKind.STUCK, AnomalyReason.ORPHAN_NOT_REAPED).setPid(null).setComm(null)
                .setOrphaned(true).build())).isEqualTo("orphaned sockets on node");
        assertThat(AnomalyLine.ownerOf(socket(AnomalyKind.STUCK, AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT).setPid(null).setComm(null)
                .build())).isEqualTo("pid ? on node");
        PodIdentity uidOnly = PodIdentity.newBuilder().setPodUid("0a1b2c3d-0000-4111-8222-333344445555").build();
        assertThat(AnomalyLine.ownerOf(socket(AnomalyKind.RESOLVED, AnomalyReason.CONNECTION_GONE).setPod(uidOnly).build()))
                .isEqualTo("pid 4242 (kube-proxy) pod 0a1b2c3d-0000-4111-8222-333344445555 on node");
        assertThat(AnomalyLine.ownerOf(FinWait2Anomaly.newBuilder().setAnomalyId("id").setKind(AnomalyKind.COLLECTOR_SILENT)
                .setReason(AnomalyReason.HEARTBEATS_STOPPED).setHost("node").setDetectedAt(AT).build()))
                .isEqualTo("the collector on node");
    }
}
