package io.finwatch.streams.state;

/**
 * Names of the detector's state stores: the public contract for interactive queries. Every store that
 * describes hosts keys by host first, so one host's entries are one prefix scan
 * ({@code store.prefixScan(StoreKeys.hostPrefix(host), new StringSerializer())}), and all keys of one host
 * land in the task that owns the host's partition ({@code KafkaStreams.queryMetadataForKey(store, host,
 * Serdes.String().serializer())} finds the instance; pass the host name, not the full key).
 *
 * <p>Values are the records of {@code io.finwatch.schemas.state} in finwatch's single-object encoding (schemas
 * and their releases in the schemas module, beside the events); the stores' serdes map them to the detector's own
 * types, which queries get. Values written by releases before these records (JSON, a compact binary form, bare
 * HdrHistogram encodings) still read, see {@link EarlierForms}. Keys, and what queries get, with
 * {@code QueryableStoreTypes.keyValueStore()} / {@code windowStore()}:
 * <ul>
 * <li>{@link #CONNECTIONS} String {@link StoreKeys#connection} -> {@code ConnectionState} (record SocketEpisode,
 *     {@code ConnectionStateSerde}): every socket currently in FIN_WAIT2.
 * <li>{@link #OPEN_FIN_WAIT2} String {@link StoreKeys#process} -> {@code OpenCounts} {attached, orphaned} (record
 *     OpenSocketCounts, {@code OpenCountsSerde}): a process's sockets in FIN_WAIT2 now; an orphan counts for its last owner.
 *     The open counts' stores are all in memory, restored from their changelogs (one entry per host, process or
 *     workload with sockets open now).
 * <li>{@link #OPEN_FIN_WAIT2_HOSTS} String {@link StoreKeys#host} -> {@code OpenCounts}: the whole host's.
 * <li>{@link #OPEN_FIN_WAIT2_WORKLOADS} String {@link StoreKeys#workload} ({@link StoreKeys#WORKLOAD_OPEN}: open now;
 *     {@link StoreKeys#WORKLOAD_STUCK}: declared STUCK and still open) -> {@code OpenCounts}.
 *     Releases before 2026-12 kept the hosts' and workloads' entries in {@link #OPEN_FIN_WAIT2}; a task moves them at
 *     its first write after the upgrade.
 * <li>{@link #HOSTS} String {@link StoreKeys#host} -> {@code HostSummary} from the host's heartbeats (record HostStatus,
 *     {@code HostSummarySerde}).
 * <li>{@link #DWELL_ALL_TIME} String host / process key -> bytes of a DwellHistogram record (HdrHistogram of the dwell in
 *     ms of every ended FIN_WAIT2 episode; read with {@code DwellStats.of} or {@code DwellStats.decode}), folded in
 *     every {@code StreamsSettings.foldEvery} (5 s), so up to that much behind.
 * <li>{@link #DWELL_1M}, {@link #DWELL_1H} window stores with the same keys and values, tumbling windows of one
 *     minute (kept {@link #DWELL_1M_RETENTION_MS}) and one hour (kept {@link #DWELL_1H_RETENTION_MS}), by the
 *     time the episode ended.
 * <li>{@link #RECENT_ANOMALIES} String {@link StoreKeys#recentAnomaly} (host, detected_at, anomaly_id: a
 *     prefix scan per host returns them oldest first) -> bytes of a FinWait2Anomaly (FinwatchSerde).
 * <li>{@link #OPEN_CLOSE_WAIT} String {@link StoreKeys#host} and {@link StoreKeys#process} -> {@code OpenCounts}, for
 *     sockets in CLOSE_WAIT now (all attached).
 * <li>{@link #CLOSE_WAIT_DWELL_ALL_TIME}, {@link #CLOSE_WAIT_DWELL_1M}, {@link #CLOSE_WAIT_DWELL_1H} as the dwell stores,
 *     for ended CLOSE_WAIT episodes.
 * <li>{@link #PEERS} String {@link StoreKeys#connection} -> PairFact record: the peer the pairing task found for an open
 *     episode (partitioned by host like the others).
 * <li>{@link #PAIR_ENDS} String {@link StoreKeys#pairEnd} -> PairingEnd record: the pairing task's closing-state ends,
 *     partitioned by connection key, not by host (find the instance with the connection key).
 * <li>{@link #HOST_DIRECTORY} the whole fleet's, in every detector task: {@link StoreKeys#directoryHost} -> the host's last
 *     forwarded CollectorHeartbeat (single-object encoded), {@link StoreKeys#directoryAddress} -> the host name (UTF-8)
 *     that has the address in one of its namespaces.
 * </ul>
 * {@link #DEDUP}, {@link #DWELL_PENDING} and {@link #HELD_HEARTBEATS} are the detector's bookkeeping, not meant for queries. Deadlines are
 * kept in memory, rebuilt from {@link #CONNECTIONS} when a task starts; versions before 2026-11 kept them in a
 * store {@code finwatch-deadlines}, whose changelog topic a deployment may delete.
 */
public final class StoreNames {

    /**
     * collector_id + "|" + epoch + "|T" (transitions) or "|H" (heartbeats), without the epoch part for epoch 0
     * (collectors from before epochs) -> SeqMark as a DedupMark record (two big-endian longs, seq and seen_at ms, before it).
     */
    public static final String DEDUP = "finwatch-dedup";
    public static final String CONNECTIONS = "finwatch-connections";
    public static final String OPEN_FIN_WAIT2 = "finwatch-open-fin-wait2";
    public static final String OPEN_FIN_WAIT2_HOSTS = "finwatch-open-fin-wait2-hosts";
    public static final String OPEN_FIN_WAIT2_WORKLOADS = "finwatch-open-fin-wait2-workloads";
    public static final String HOSTS = "finwatch-hosts";
    /**
     * Ended episodes not yet folded into the dwell histograms: {@code "|" + 19-digit batch number} -> EndedEpisodes
     * (record PendingDwell, {@code EndedEpisodesSerde}), the episodes a task ended between two commits; versions
     * before 2026-11 wrote connection key + "|" + entered_at -> one EndedEpisode, still folded.
     */
    public static final String DWELL_PENDING = "finwatch-dwell-pending";
    public static final String DWELL_ALL_TIME = "finwatch-dwell-all-time";
    public static final String DWELL_1M = "finwatch-dwell-1m";
    public static final String DWELL_1H = "finwatch-dwell-1h";
    public static final String RECENT_ANOMALIES = "finwatch-recent-anomalies";
    public static final String OPEN_CLOSE_WAIT = "finwatch-open-close-wait";
    /** As {@link #DWELL_PENDING}, for CLOSE_WAIT episodes. */
    public static final String CLOSE_WAIT_DWELL_PENDING = "finwatch-close-wait-dwell-pending";
    public static final String CLOSE_WAIT_DWELL_ALL_TIME = "finwatch-close-wait-dwell-all-time";
    public static final String CLOSE_WAIT_DWELL_1M = "finwatch-close-wait-dwell-1m";
    public static final String CLOSE_WAIT_DWELL_1H = "finwatch-close-wait-dwell-1h";
    public static final String PEERS = "finwatch-peers";
    public static final String PAIR_ENDS = "finwatch-pair-ends";
    public static final String HOST_DIRECTORY = "finwatch-host-directory";
    /**
     * Heartbeats read before the transitions their collector numbered before them: host + "|" + 19-digit epoch + "|" +
     * 19-digit seq -> the CollectorHeartbeat (single-object encoded). Empty but for the moments a catch-up reads one
     * topic ahead of the other.
     */
    public static final String HELD_HEARTBEATS = "finwatch-held-heartbeats";

    public static final long DWELL_1M_WINDOW_MS = 60_000L;
    public static final long DWELL_1M_RETENTION_MS = 6 * 3_600_000L;
    public static final long DWELL_1H_WINDOW_MS = 3_600_000L;
    public static final long DWELL_1H_RETENTION_MS = 7 * 24 * 3_600_000L;

    private StoreNames() {
    }
}
