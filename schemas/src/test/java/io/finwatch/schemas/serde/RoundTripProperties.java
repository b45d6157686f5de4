package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.AnomalyReason;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinTimeoutSource;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.NamespaceInfo;
import io.finwatch.schemas.Owner;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.TimerKind;
import io.finwatch.schemas.state.HostNamespace;
import io.finwatch.schemas.state.HostStatus;
import io.finwatch.schemas.state.SocketEpisode;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.avro.specific.SpecificRecord;

/** Any record this build can hold survives encode then decode unchanged, through both of Avro's read paths. */
class RoundTripProperties {

    private final FinwatchSerde serde = FinwatchSerde.shared();
    private final FinwatchSerde resolvingReaderSerde = new FinwatchSerde(FinwatchSchemaStore.shared(), new FinwatchData(false));

    @Property
    void transitionsRoundTrip(@ForAll("transitions") SocketTransition t) {
        assertRoundTrip(t, SocketTransition.class);
    }

    @Property
    void heartbeatsRoundTrip(@ForAll("heartbeats") CollectorHeartbeat hb) {
        assertRoundTrip(hb, CollectorHeartbeat.class);
    }

    @Property
    void anomaliesRoundTrip(@ForAll("anomalies") FinWait2Anomaly a) {
        assertRoundTrip(a, FinWait2Anomaly.class);
    }

    @Property
    void storedEpisodesRoundTrip(@ForAll("episodes") SocketEpisode e) {
        assertRoundTrip(e, SocketEpisode.class);
    }

    @Property
    void storedHostsRoundTrip(@ForAll("hosts") HostStatus h) {
        assertRoundTrip(h, HostStatus.class);
    }

    private <T extends SpecificRecord> void assertRoundTrip(T record, Class<T> type) {
        String json = RecordJson.toJsonString(record);
        byte[] bytes = serde.encode(record);

        assertThat(serde.decode(bytes, type)).isEqualTo(record);
        assertThat(serde.decodeAny(bytes)).isEqualTo(record);
        assertThat(resolvingReaderSerde.decode(bytes, type)).isEqualTo(record);
        assertThat(RecordJson.toJsonString(serde.decode(bytes, type))).isEqualTo(json);
        assertThat(serde.identifyOrThrow(bytes)).isEqualTo(serde.store().current(type.getSimpleName()).identified());
    }

    @Provide
    Arbitrary<SocketTransition> transitions() {
        return Builders.withBuilder(SocketTransition::newBuilder)
                .use(text()).in(SocketTransition.Builder::setHost)
                .use(text()).in(SocketTransition.Builder::setCollectorId)
                .use(Arbitraries.longs()).in(SocketTransition.Builder::setSeq)
                .use(instants()).in(SocketTransition.Builder::setObservedAt)
                .use(Arbitraries.longs()).in(SocketTransition.Builder::setNetns)
                .use(Arbitraries.of(4, 6)).in(SocketTransition.Builder::setFamily)
                .use(text()).in(SocketTransition.Builder::setLocalIp)
                .use(ports()).in(SocketTransition.Builder::setLocalPort)
                .use(text()).in(SocketTransition.Builder::setRemoteIp)
                .use(ports()).in(SocketTransition.Builder::setRemotePort)
                .use(Arbitraries.integers().between(0, 64)).in(SocketTransition.Builder::setOrdinal)
                .use(Arbitraries.of(TcpState.class).injectNull(0.2)).in(SocketTransition.Builder::setFromState)
                .use(Arbitraries.of(TcpState.class)).in(SocketTransition.Builder::setToState)
                .use(Arbitraries.longs().between(0, Long.MAX_VALUE)).in(SocketTransition.Builder::setInode)
                .use(Arbitraries.integers()).in(SocketTransition.Builder::setUid)
                .use(Arbitraries.of(true, false)).in(SocketTransition.Builder::setOrphaned)
                .use(Arbitraries.of(TimerKind.class)).in(SocketTransition.Builder::setTimer)
                .use(Arbitraries.longs()).in(SocketTransition.Builder::setTimerMs)
                .use(instants().injectNull(0.5)).in(SocketTransition.Builder::setReapDeadline)
                .use(Arbitraries.integers().injectNull(0.3)).in(SocketTransition.Builder::setPid)
                .use(text().injectNull(0.3)).in(SocketTransition.Builder::setComm)
                .use(text().injectNull(0.5)).in(SocketTransition.Builder::setContainerId)
                .use(owners().injectNull(0.3)).in(SocketTransition.Builder::setLastOwner)
                .use(Arbitraries.integers()).in(SocketTransition.Builder::setFinTimeoutS)
                .use(Arbitraries.of(FinTimeoutSource.class)).in(SocketTransition.Builder::setFinTimeoutSource)
                .use(Arbitraries.longs()).in(SocketTransition.Builder::setEpoch)
                .build(SocketTransition.Builder::build);
    }

    @Provide
    Arbitrary<CollectorHeartbeat> heartbeats() {
        Arbitrary<NamespaceInfo> namespaces = Builders.withBuilder(NamespaceInfo::newBuilder)
                .use(Arbitraries.longs()).in(NamespaceInfo.Builder::setNetns)
                .use(Arbitraries.integers()).in(NamespaceInfo.Builder::setFinTimeoutS)
                .use(Arbitraries.of(FinTimeoutSource.class)).in(NamespaceInfo.Builder::setFinTimeoutSource)
                .use(Arbitraries.integers()).in(NamespaceInfo.Builder::setRepresentativePid)
                .use(Arbitraries.longs()).in(NamespaceInfo.Builder::setSockets)
                .build(NamespaceInfo.Builder::build);
        Arbitrary<SeqRange> ranges = Builders.withBuilder(SeqRange::newBuilder)
                .use(Arbitraries.longs()).in(SeqRange.Builder::setFirst)
                .use(Arbitraries.longs()).in(SeqRange.Builder::setLast)
                .build(SeqRange.Builder::build);
        Arbitrary<LostRange> lost = Builders.withBuilder(LostRange::newBuilder)
                .use(Arbitraries.longs()).in(LostRange.Builder::setEpoch)
                .use(Arbitraries.longs()).in(LostRange.Builder::setFirst)
                .use(Arbitraries.longs()).in(LostRange.Builder::setLast)
                .use(Arbitraries.of(LossCause.class)).in(LostRange.Builder::setCause)
                .build(LostRange.Builder::build);
        return Builders.withBuilder(CollectorHeartbeat::newBuilder)
                .use(text()).in(CollectorHeartbeat.Builder::setHost)
                .use(text()).in(CollectorHeartbeat.Builder::setCollectorId)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setSeq)
                .use(instants()).in(CollectorHeartbeat.Builder::setObservedAt)
                .use(instants()).in(CollectorHeartbeat.Builder::setStartedAt)
                .use(text()).in(CollectorHeartbeat.Builder::setCollectorVersion)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setIntervalMs)
                .use(namespaces.list().ofMaxSize(6)).in(CollectorHeartbeat.Builder::setNamespaces)
                .use(Arbitraries.maps(text(), Arbitraries.longs()).ofMaxSize(8)).in(CollectorHeartbeat.Builder::setStateCounts)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setFinWait2Attached)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setFinWait2Orphaned)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setSocketsSeen)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setPollDurationUs)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setParseErrors)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setReadErrors)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setShedEvents)
                .use(ranges.list().ofMaxSize(4)).in(CollectorHeartbeat.Builder::setShedRanges)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setBufferCorruptRecords)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setEpoch)
                .use(Arbitraries.longs()).in(CollectorHeartbeat.Builder::setEpochFirstSeq)
                .use(lost.list().ofMaxSize(3)).in(CollectorHeartbeat.Builder::setLostRanges)
                .build(CollectorHeartbeat.Builder::build);
    }

    @Provide
    Arbitrary<FinWait2Anomaly> anomalies() {
        return Builders.withBuilder(FinWait2Anomaly::newBuilder)
                .use(text()).in(FinWait2Anomaly.Builder::setAnomalyId)
                .use(Arbitraries.of(AnomalyKind.class)).in(FinWait2Anomaly.Builder::setKind)
                .use(Arbitraries.of(AnomalyReason.class)).in(FinWait2Anomaly.Builder::setReason)
                .use(text()).in(FinWait2Anomaly.Builder::setHost)
                .use(text().injectNull(0.2)).in(FinWait2Anomaly.Builder::setCollectorId)
                .use(instants()).in(FinWait2Anomaly.Builder::setDetectedAt)
                .use(Arbitraries.longs().injectNull(0.3)).in(FinWait2Anomaly.Builder::setNetns)
                .use(Arbitraries.of(4, 6).injectNull(0.3)).in(FinWait2Anomaly.Builder::setFamily)
                .use(text().injectNull(0.3)).in(FinWait2Anomaly.Builder::setLocalIp)
                .use(ports().injectNull(0.3)).in(FinWait2Anomaly.Builder::setLocalPort)
                .use(text().injectNull(0.3)).in(FinWait2Anomaly.Builder::setRemoteIp)
                .use(ports().injectNull(0.3)).in(FinWait2Anomaly.Builder::setRemotePort)
                .use(Arbitraries.integers().injectNull(0.3)).in(FinWait2Anomaly.Builder::setPid)
                .use(text().injectNull(0.3)).in(FinWait2Anomaly.Builder::setComm)
                .use(text().injectNull(0.3)).in(FinWait2Anomaly.Builder::setContainerId)
                .use(Arbitraries.of(true, false).injectNull(0.3)).in(FinWait2Anomaly.Builder::setOrphaned)
                .use(instants().injectNull(0.3)).in(FinWait2Anomaly.Builder::setEnteredAt)
                .use(instants().injectNull(0.3)).in(FinWait2Anomaly.Builder::setDeadline)
                .use(Arbitraries.longs().injectNull(0.3)).in(FinWait2Anomaly.Builder::setDwellMs)
                .use(Arbitraries.integers().injectNull(0.3)).in(FinWait2Anomaly.Builder::setFinTimeoutS)
                .use(Arbitraries.of(TcpState.class).injectNull(0.5)).in(FinWait2Anomaly.Builder::setToState)
                .use(instants().injectNull(0.5)).in(FinWait2Anomaly.Builder::setLastHeardAt)
                .build(FinWait2Anomaly.Builder::build);
    }

    @Provide
    Arbitrary<SocketEpisode> episodes() {
        return Builders.withBuilder(SocketEpisode::newBuilder)
                .use(text()).in(SocketEpisode.Builder::setHost)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setNetns)
                .use(Arbitraries.of(4, 6)).in(SocketEpisode.Builder::setFamily)
                .use(text()).in(SocketEpisode.Builder::setLocalIp)
                .use(ports()).in(SocketEpisode.Builder::setLocalPort)
                .use(text()).in(SocketEpisode.Builder::setRemoteIp)
                .use(ports()).in(SocketEpisode.Builder::setRemotePort)
                .use(Arbitraries.integers().between(0, 64)).in(SocketEpisode.Builder::setOrdinal)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setEnteredAt)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setDeadline)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setFireAt)
                .use(Arbitraries.of(true, false)).in(SocketEpisode.Builder::setOrphaned)
                .use(Arbitraries.integers()).in(SocketEpisode.Builder::setFinTimeoutS)
                .use(Arbitraries.integers().injectNull(0.3)).in(SocketEpisode.Builder::setPid)
                .use(text().injectNull(0.3)).in(SocketEpisode.Builder::setComm)
                .use(text().injectNull(0.5)).in(SocketEpisode.Builder::setContainerId)
                .use(text().injectNull(0.2)).in(SocketEpisode.Builder::setCollectorId)
                .use(Arbitraries.of(true, false)).in(SocketEpisode.Builder::setStuckEmitted)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setPollIntervalMs)
                .use(Arbitraries.longs()).in(SocketEpisode.Builder::setLastSeenSeq)
                .build(SocketEpisode.Builder::build);
    }

    @Provide
    Arbitrary<HostStatus> hosts() {
        Arbitrary<HostNamespace> namespaces = Builders.withBuilder(HostNamespace::newBuilder)
                .use(Arbitraries.longs()).in(HostNamespace.Builder::setNetns)
                .use(Arbitraries.integers()).in(HostNamespace.Builder::setFinTimeoutS)
                .use(text()).in(HostNamespace.Builder::setFinTimeoutSource)
                .use(Arbitraries.longs()).in(HostNamespace.Builder::setSockets)
                .build(HostNamespace.Builder::build);
        return Builders.withBuilder(HostStatus::newBuilder)
                .use(text()).in(HostStatus.Builder::setHost)
                .use(text()).in(HostStatus.Builder::setCollectorId)
                .use(text()).in(HostStatus.Builder::setCollectorVersion)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setStartedAt)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setLastHeardAt)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setIntervalMs)
                .use(Arbitraries.maps(text(), Arbitraries.longs()).ofMaxSize(8)).in(HostStatus.Builder::setStateCounts)
                .use(namespaces.list().ofMaxSize(6)).in(HostStatus.Builder::setNamespaces)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setFinWait2Attached)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setFinWait2Orphaned)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setSocketsSeen)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setParseErrors)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setReadErrors)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setShedEvents)
                .use(Arbitraries.of(true, false)).in(HostStatus.Builder::setSilent)
                .use(Arbitraries.longs().injectNull(0.5)).in(HostStatus.Builder::setSilentSince)
                .use(Arbitraries.of(true, false)).in(HostStatus.Builder::setParked)
                .use(Arbitraries.longs()).in(HostStatus.Builder::setLastSeq)
                .use(Arbitraries.longs().injectNull(0.5)).in(HostStatus.Builder::setSweepBelowSeq)
                .build(HostStatus.Builder::build);
    }

    private static Arbitrary<Owner> owners() {
        return Builders.withBuilder(Owner::newBuilder)
                .use(Arbitraries.integers().between(1, 4_194_304)).in(Owner.Builder::setPid)
                .use(text()).in(Owner.Builder::setComm)
                .use(Arbitraries.longs().between(0, Long.MAX_VALUE)).in(Owner.Builder::setStartTimeTicks)
                .use(Arbitraries.integers()).in(Owner.Builder::setUid)
                .use(text().injectNull(0.5)).in(Owner.Builder::setContainerId)
                .use(instants()).in(Owner.Builder::setSeenAt)
                .build(Owner.Builder::build);
    }

    /** Any text Java can hold as UTF-8: no lone surrogates, which no encoder can write. */
    private static Arbitrary<String> text() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFF').ofMaxLength(40);
    }

    private static Arbitrary<Integer> ports() {
        return Arbitraries.integers().between(0, 65_535);
    }

    /** Millisecond instants from year 1 to 9999: what timestamp-millis carries and ISO-8601 prints. */
    private static Arbitrary<Instant> instants() {
        return Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L).map(Instant::ofEpochMilli);
    }
}
