package io.finwatch.schemas.serde;

import io.finwatch.schemas.PeerEnd;
import io.finwatch.schemas.ShutdownFlags;
import io.finwatch.schemas.state.DedupMark;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.state.DwellHistogram;
import io.finwatch.schemas.state.EndedDwell;
import io.finwatch.schemas.state.HostNamespace;
import io.finwatch.schemas.state.HostStatus;
import io.finwatch.schemas.state.OpenSocketCounts;
import io.finwatch.schemas.state.PairFact;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.schemas.state.PendingDwell;
import io.finwatch.schemas.state.SocketEpisode;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** One realistic value per store record: the detector's state for the kube-proxy leak of {@link SampleEvents}. */
final class SampleStateValues {

    private static final long ENTERED_MS = SampleEvents.OBSERVED.toEpochMilli();
    /** HdrHistogram V2 encoding (cookie 1c849313) of a two-digit histogram holding 65,000 and 1,250. */
    private static final String TWO_DWELLS = "1c8493130000000600000000000000020000000000000001000000000000ffff3ff0000000000000b70802bf0b02";

    private SampleStateValues() {
    }

    /** The kube-proxy socket of {@link SampleEvents#transition()}, STUCK raised. */
    static SocketEpisode episode() {
        return SocketEpisode.newBuilder()
                .setHost("node-17.prod").setNetns(4_026_531_840L).setFamily(6)
                .setLocalIp("::ffff:10.0.3.17").setLocalPort(43_872)
                .setRemoteIp("::ffff:10.96.0.1").setRemotePort(443).setOrdinal(0)
                .setEnteredAt(ENTERED_MS).setDeadline(ENTERED_MS + 60_000L).setFireAt(ENTERED_MS + 60_000L)
                .setOrphaned(false).setFinTimeoutS(60)
                .setPid(4711).setComm("kube-proxy").setContainerId("3f9c2a1be07d44c8a1f0c5e2d9b7a6e4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8")
                .setCollectorId("c-2025-03-01T11-58-02Z-4e1f")
                .setStuckEmitted(true).setPollIntervalMs(1_000L).setLastSeenSeq(90_412L)
                // shutdown(SHUT_WR) without close(), nothing queued either way.
                .setShutdown(ShutdownFlags.WR).setRecvQ(0L).setSendQ(0L)
                // Entered when the kernel says its FIN was acknowledged; attached, so never reaped.
                .setEnteredAtSource(io.finwatch.schemas.StateSinceSource.KERNEL).setReapAt(null)
                .build();
    }

    static OpenSocketCounts openCounts() {
        return OpenSocketCounts.newBuilder().setAttached(2L).setOrphaned(1L).build();
    }

    static DedupMark dedupMark() {
        return DedupMark.newBuilder().setSeq(4_211L).setSeenAtMs(1_772_366_401_000L).build();
    }

    /** The host of {@link SampleEvents#heartbeat()}, heard. */
    static HostStatus host() {
        Map<String, Long> states = new LinkedHashMap<>();
        states.put("ESTABLISHED", 412L);
        states.put("FIN_WAIT2", 3L);
        states.put("LISTEN", 23L);
        states.put("TIME_WAIT", 57L);
        return HostStatus.newBuilder()
                .setHost("node-17.prod").setCollectorId("c-2025-03-01T11-58-02Z-4e1f").setCollectorVersion("0.1.0")
                .setStartedAt(1_740_830_282_004L).setLastHeardAt(ENTERED_MS).setIntervalMs(1_000L)
                .setStateCounts(states)
                .setNamespaces(List.of(
                        HostNamespace.newBuilder().setNetns(4_026_531_840L).setFinTimeoutS(60).setFinTimeoutSource("NAMESPACE").setSockets(470L)
                                .build(),
                        HostNamespace.newBuilder().setNetns(4_026_532_561L).setFinTimeoutS(60).setFinTimeoutSource("HOST_FALLBACK")
                                .setSockets(25L).build()))
                .setFinWait2Attached(2L).setFinWait2Orphaned(1L).setSocketsSeen(495L)
                .setParseErrors(0L).setReadErrors(4L).setShedEvents(120L)
                .setSilent(false).setSilentSince(null).setParked(false)
                .setLastSeq(90_413L).setSweepBelowSeq(89_917L)
                .build();
    }

    static PendingDwell pending() {
        return PendingDwell.newBuilder().setEpisodes(List.of(
                        EndedDwell.newBuilder().setHostKey("node-17.prod").setProcessKey("node-17.prod|4711|kube-proxy")
                                .setWorkloadKey("node-17.prod|~dwell|kube-system|DaemonSet|kube-proxy").setDwellMs(65_000L).setEndedAt(ENTERED_MS + 65_000L).build(),
                        EndedDwell.newBuilder().setHostKey("node-17.prod").setProcessKey("node-17.prod|-|")
                                .setWorkloadKey("node-17.prod|~dwell|||").setDwellMs(1_250L).setEndedAt(ENTERED_MS + 65_400L).build()))
                .build();
    }

    /**
     * Two dwells, 65 s and 1.25 s, in HdrHistogram's V2 encoding at two significant digits, as the detector writes it
     * (HdrHistogram is not a dependency of this module, so the encoding is spelled out).
     */
    static DwellHistogram dwell() {
        return DwellHistogram.newBuilder().setHdrHistogram(ByteBuffer.wrap(HexFormat.of().parseHex(TWO_DWELLS))).build();
    }

    /** The CLOSE_WAIT peer of the kube-proxy socket, on the pairing path. */
    static PairingEnd pairingEnd() {
        return PairingEnd.newBuilder().setHost("node-b").setCollectorId("node-b-7c1f").setEpoch(1_740_830_000_000L).setSeq(88_412L)
                .setObservedAt(ENTERED_MS + 40L).setNetns(4_026_532_001L).setFamily(4)
                .setLocalIp("10.96.0.1").setLocalPort(443).setRemoteIp("10.0.3.17").setRemotePort(43_872).setOrdinal(0)
                .setState(TcpState.CLOSE_WAIT).setStateSince(ENTERED_MS).setShutdown(null).setRecvQ(1L)
                .setPid(2_311).setComm("apiserver").setContainerId(null).setPod(null).setOrphaned(false).setConntrack(null)
                .setSentFin(false).build();
    }

    /** What the pairing task tells the kube-proxy socket's detector task about that peer. */
    static PairFact pairFact() {
        PeerEnd peer = PeerEnd.newBuilder().setHost("node-b").setNetns(4_026_532_001L).setLocalIp("10.96.0.1").setLocalPort(443)
                .setRemoteIp("10.0.3.17").setRemotePort(43_872).setState(TcpState.CLOSE_WAIT).setStateSinceMs(ENTERED_MS)
                .setRecvQ(1L).setPid(2_311).setComm("apiserver").setOrphaned(false)
                .setSeenAt(java.time.Instant.ofEpochMilli(ENTERED_MS + 40L)).build();
        return PairFact.newBuilder().setHost("node-a").setNetns(4_026_531_840L).setFamily(6)
                .setLocalIp("::ffff:10.0.3.17").setLocalPort(43_872).setRemoteIp("::ffff:10.96.0.1").setRemotePort(443).setOrdinal(0)
                .setState(TcpState.FIN_WAIT2).setStateSince(ENTERED_MS).setPairKey("10.0.3.17|43872|10.96.0.1|443")
                .setPeer(peer).setPeerSentFin(false).build();
    }

    static SpecificRecord of(String recordName) {
        return switch (recordName) {
            case "SocketEpisode" -> episode();
            case "OpenSocketCounts" -> openCounts();
            case "HostStatus" -> host();
            case "PendingDwell" -> pending();
            case "DwellHistogram" -> dwell();
            case "DedupMark" -> dedupMark();
            case "PairingEnd" -> pairingEnd();
            case "PairFact" -> pairFact();
            default -> throw new IllegalArgumentException("no sample for " + recordName);
        };
    }
}
