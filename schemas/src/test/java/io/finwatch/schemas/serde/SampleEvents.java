package io.finwatch.schemas.serde;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.Owner;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.StateSinceSource;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic event per top-level record: the kube-proxy leak as finwatch would report it. */
final class SampleEvents {

    static final Instant OBSERVED = Instant.parse("2025-03-01T12:00:00.250Z");
    /** The run's start, 2025-03-01T11:58:02.004Z, as its epoch. */
    static final long EPOCH = 1_740_830_282_004L;

    private SampleEvents() {
    }

    /** A kube-proxy socket that reached FIN_WAIT2 and is still held: shutdown() without close(). */
    static SocketTransition transition() {
        Owner owner = Owner.newBuilder()
                .setPid(4711).setComm("kube-proxy").setStartTimeTicks(183_224L).setUid(0)
                .setContainerId("3f9c2a1be07d44c8a1f0c5e2d9b7a6e4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8")
                .setSeenAt(OBSERVED)
                .build();
        return SocketTransition.newBuilder()
                .setHost("node-17.prod").setCollectorId("c-2025-03-01T11-58-02Z-4e1f").setSeq(90_412L)
                .setObservedAt(OBSERVED)
                .setNetns(4_026_531_840L).setFamily(6)
                .setLocalIp("::ffff:10.0.3.17").setLocalPort(43_872)
                .setRemoteIp("::ffff:10.96.0.1").setRemotePort(443)
                .setFromState(TcpState.FIN_WAIT1).setToState(TcpState.FIN_WAIT2)
                .setInode(2_281_554L).setUid(0).setOrphaned(false)
                .setTimer(TimerKind.OFF).setTimerMs(0L)
                .setPid(4711).setComm("kube-proxy").setContainerId(owner.getContainerId())
                .setLastOwner(owner)
                .setFinTimeoutS(60).setFinTimeoutSource(FinTimeoutSource.NAMESPACE)
                .setEpoch(EPOCH)
                // shutdown(SHUT_WR) without close(); its FIN was acknowledged 40 ms after it, 10.2 s before the poll.
                .setShutdown(ShutdownFlags.WR)
                .setStateSinceMs(OBSERVED.toEpochMilli() - 10_204L)
                .setStateSinceSource(StateSinceSource.KERNEL)
                .setRecvQ(0L).setSendQ(0L)
                .setReapAtMs(null)
                .build();
    }

    static CollectorHeartbeat heartbeat() {
        Map<String, Long> states = new LinkedHashMap<>();
        states.put("ESTABLISHED", 412L);
        states.put("LISTEN", 23L);
        states.put("TIME_WAIT", 57L);
        states.put("FIN_WAIT2", 3L);
        return CollectorHeartbeat.newBuilder()
                .setHost("node-17.prod").setCollectorId("c-2025-03-01T11-58-02Z-4e1f").setSeq(90_413L)
                .setObservedAt(OBSERVED)
                .setStartedAt(Instant.parse("2025-03-01T11:58:02.004Z"))
                .setCollectorVersion("0.1.0")
                .setIntervalMs(1_000L)
                .setNamespaces(List.of(
                        NamespaceInfo.newBuilder().setNetns(4_026_531_840L).setFinTimeoutS(60)
                                .setFinTimeoutSource(FinTimeoutSource.NAMESPACE).setRepresentativePid(1).setSockets(470L).build(),
                        NamespaceInfo.newBuilder().setNetns(4_026_532_561L).setFinTimeoutS(60)
                                .setFinTimeoutSource(FinTimeoutSource.HOST_FALLBACK).setRepresentativePid(9_120).setSockets(25L).build()))
                .setStateCounts(states)
                .setFinWait2Attached(2L).setFinWait2Orphaned(1L)
                .setSocketsSeen(495L).setPollDurationUs(3_840L)
                .setParseErrors(0L).setReadErrors(4L)
                .setShedEvents(120L).setShedRanges(List.of(SeqRange.newBuilder().setFirst(88_001L).setLast(88_120L).build()))
                .setBufferCorruptRecords(0L)
                // This poll is the re-send after the shedding above: the whole table, one transition per socket.
                .setFullTableFromSeq(89_918L)
                .setEpoch(EPOCH).setEpochFirstSeq(85_200L)
                // Two records of the run before this one were unreadable when this run sent its backlog.
                .setLostRanges(List.of(LostRange.newBuilder().setEpoch(EPOCH - 95_170L).setFirst(85_190L).setLast(85_191L)
                        .setCause(LossCause.BUFFER_CORRUPT).build()))
                .build();
    }

    static FinWait2Anomaly anomaly() {
        return FinWait2Anomaly.newBuilder()
                .setAnomalyId("stuck:node-17.prod:4026531840:6:::ffff:10.0.3.17:43872:::ffff:10.96.0.1:443:0:1740830340250")
                .setKind(AnomalyKind.STUCK).setReason(AnomalyReason.ATTACHED_PAST_FIN_TIMEOUT)
                .setHost("node-17.prod").setCollectorId("c-2025-03-01T11-58-02Z-4e1f")
                .setDetectedAt(Instant.parse("2025-03-01T12:01:05.250Z"))
                .setNetns(4_026_531_840L).setFamily(6)
                .setLocalIp("::ffff:10.0.3.17").setLocalPort(43_872)
                .setRemoteIp("::ffff:10.96.0.1").setRemotePort(443)
                .setPid(4711).setComm("kube-proxy").setContainerId("3f9c2a1be07d44c8a1f0c5e2d9b7a6e4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8")
                .setOrphaned(false)
                .setEnteredAt(OBSERVED).setDeadline(Instant.parse("2025-03-01T12:01:00.250Z"))
                .setDwellMs(65_000L).setFinTimeoutS(60)
                .setShutdown(ShutdownFlags.WR).setRecvQ(0L).setSendQ(0L)
                .setEnteredAtSource(io.finwatch.schemas.StateSinceSource.OBSERVED).setReapAt(null)
                .build();
    }

    /** The sample for a top-level record name, store values included. */
    static SpecificRecord of(String recordName) {
        return switch (recordName) {
            case "SocketTransition" -> transition();
            case "CollectorHeartbeat" -> heartbeat();
            case "FinWait2Anomaly" -> anomaly();
            default -> SampleStateValues.of(recordName);
        };
    }
}
