package io.finwatch.streams.query;

import io.finwatch.common.http.Quote;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.finwatch.streams.state.StoreNames;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Where a request is answered. A key-based request (one host) is read here when this instance holds the host's
 * partition, otherwise forwarded to the instance that does. A fleet-wide request reads this instance's active
 * partitions and those of every other instance, and is answered only when together they are every partition
 * exactly once: never a silently partial answer.
 *
 * <p>The metadata is only trusted while Kafka Streams is RUNNING: during a rebalance the owner of a partition is
 * changing, so the answer is 503 and the caller retries.
 */
public final class QueryRouter {

    /** Retry-After of a rebalance or a moved key: a rebalance usually settles within seconds. */
    public static final int REBALANCE_RETRY_S = 1;

    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final int partitions;
    private final String detectorTopic;
    private final Forwarder forwarder;

    /**
     * @param self          this instance's {@code application.server}, as the others know it
     * @param partitions    partition count of the input topics: the tasks a fleet-wide answer must cover
     * @param detectorTopic a source topic of the detector's sub-topology (the transitions topic): its tasks hold the
     *                      stores the API reads
     */
    public QueryRouter(KafkaStreams streams, HostInfo self, int partitions, String detectorTopic, Forwarder forwarder) {
        this.streams = streams;
        this.self = self;
        this.partitions = partitions;
        this.detectorTopic = detectorTopic;
        this.forwarder = forwarder;
    }

    /**
     * Answers about one host: from local stores when this instance is its partition's active owner; forwarded to
     * the owner otherwise, unless {@code hop} says the request was forwarded already (then the metadata moved
     * meanwhile: 503). When the owner does not answer and this instance keeps a standby of the partition, the
     * standby answers, marked stale.
     */
    public Answer keyed(String host, boolean hop, String pathAndQuery, Function<PartitionStores, List<? extends Element>> read) {
        requireRunning();
        KeyQueryMetadata md = streams.queryMetadataForKey(StoreNames.HOSTS, host, KEYS);
        if (md == null || md == KeyQueryMetadata.NOT_AVAILABLE || md.activeHost() == null) {
            throw ApiException.unavailable("the owner of host '" + Quote.prefix(host) + "' is not known yet (no metadata for its partition)",
                    REBALANCE_RETRY_S);
        }
        if (md.activeHost().equals(self)) {
            return Answer.of(read.apply(new PartitionStores(streams, md.partition(), false)));
        }
        if (hop) {
            throw ApiException.unavailable("host '" + Quote.prefix(host) + "' moved: partition " + md.partition() + " is now served by "
                    + md.activeHost() + ", not by this instance", REBALANCE_RETRY_S);
        }
        try {
            return forwarder.getNow(md.activeHost(), pathAndQuery);
        } catch (ApiException ownerDown) {
            if (md.standbyHosts().contains(self)) {
                return Answer.of(read.apply(new PartitionStores(streams, md.partition(), true)));
            }
            throw ownerDown;
        }
    }

    /**
     * Answers about the whole fleet: this instance's active partitions, and unless {@code hop}, every other
     * instance's (they are asked with the hop header, so they answer from their own active partitions), merged,
     * sorted by {@code order} and cut to {@code limit}.
     */
    public <T extends Element> Answer fleet(boolean hop, String pathAndQuery, Function<PartitionStores, List<T>> read, Class<T> type,
                                            Comparator<? super T> order, int limit) {
        requireRunning();
        Set<Integer> mine = localActivePartitions();
        List<T> merged = new ArrayList<>();
        for (int p : mine) {
            merged.addAll(read.apply(new PartitionStores(streams, p, false)));
        }
        if (hop) {
            return Answer.of(sortAndCut(merged, order, limit)).withHeader(Answer.PARTITIONS_HEADER, join(mine));
        }
        List<CompletableFuture<Answer>> asked = new ArrayList<>();
        for (StreamsMetadata other : streams.streamsMetadataForStore(StoreNames.HOSTS)) {
            if (!other.hostInfo().equals(self)) {
                asked.add(forwarder.get(other.hostInfo(), pathAndQuery));
            }
        }
        Set<Integer> covered = new TreeSet<>(mine);
        int answers = mine.size();
        for (CompletableFuture<Answer> f : asked) {
            Answer a = await(f);
            if (a.status() == 503) {
                return a;
            }
            if (a.status() != 200) {
                throw ApiException.unavailable("another instance answered the fan-out with status " + a.status() + ": " + a.body(),
                        REBALANCE_RETRY_S);
            }
            Set<Integer> theirs = parse(a.headers().get(Answer.PARTITIONS_HEADER));
            answers += theirs.size();
            covered.addAll(theirs);
            try {
                merged.addAll(ApiJson.readList(a.body(), type));
            } catch (JsonProcessingException e) {
                throw ApiException.unavailable("another instance answered with a body that is not the expected JSON: " + e.getOriginalMessage(),
                        REBALANCE_RETRY_S);
            }
        }
        if (covered.size() != partitions || answers != partitions) {
            throw ApiException.unavailable("partitions are moving: the instances answered for " + covered + " (" + answers + " answers) of "
                    + partitions + " partitions", REBALANCE_RETRY_S);
        }
        return Answer.of(sortAndCut(merged, order, limit));
    }

    private void requireRunning() {
        KafkaStreams.State s = streams.state();
        if (s != KafkaStreams.State.RUNNING) {
            throw ApiException.unavailable("kafka streams is " + s + " on this instance; partitions are being assigned", REBALANCE_RETRY_S);
        }
    }

    private Set<Integer> localActivePartitions() {
        return detectorPartitions(streams.metadataForLocalThreads(), detectorTopic);
    }

    /**
     * The partitions whose detector task runs in these threads as active. Only the detector's: the pairing and host
     * directory sub-topologies have tasks of the same partition numbers, and Kafka Streams does not keep a
     * partition's tasks of different sub-topologies together. An instance given pairing task 1_3 but not detector
     * task 0_3 holds no store of partition 3; counting it would send a fleet-wide read to a store that is not here,
     * and make two instances both claim partition 3.
     */
    static Set<Integer> detectorPartitions(Collection<ThreadMetadata> threads, String detectorTopic) {
        Set<Integer> out = new TreeSet<>();
        for (ThreadMetadata t : threads) {
            for (TaskMetadata task : t.activeTasks()) {
                if (task.topicPartitions().stream().anyMatch(tp -> tp.topic().equals(detectorTopic))) {
                    out.add(task.taskId().partition());
                }
            }
        }
        return out;
    }

    private static Answer await(CompletableFuture<Answer> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw e;
        }
    }

    private static <T> List<T> sortAndCut(List<T> items, Comparator<? super T> order, int limit) {
        items.sort(order);
        return items.size() > limit ? new ArrayList<>(items.subList(0, limit)) : items;
    }

    private static String join(Set<Integer> partitions) {
        return String.join(",", partitions.stream().map(String::valueOf).toList());
    }

    private static Set<Integer> parse(String header) {
        Set<Integer> out = new TreeSet<>();
        if (header == null || header.isBlank()) {
            return out;
        }
        for (String p : header.split(",")) {
            out.add(Integer.parseInt(p.trim()));
        }
        return out;
    }
}
