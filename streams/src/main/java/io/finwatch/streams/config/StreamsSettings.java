package io.finwatch.streams.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the detector topology needs to know, independent of how Kafka Streams is run. Made with {@link #builder()}
 * (every setting starts at its default); the constructor validates.
 *
 * @param transitionsTopic         SocketTransition events, keyed by host
 * @param heartbeatsTopic          CollectorHeartbeat events, keyed by host; must have as many partitions as
 *                                 the transitions topic, so that one task sees both streams of a host
 * @param anomaliesTopic           FinWait2Anomaly output, keyed by host
 * @param dlqTopic                 records that could not be decoded, with their origin in headers
 * @param grace                    extra time an orphan gets past the kernel's reap deadline before it counts
 *                                 as not reaped; null means two poll intervals of its host
 * @param silenceAfter             how long without a heartbeat makes a collector silent; null means five
 *                                 poll intervals of its host; never less than {@link #MIN_SILENCE}
 * @param punctuateEvery           how often (wall clock) due deadlines and silent collectors are checked
 * @param defaultInterval          poll interval assumed for a host before its first heartbeat says otherwise
 * @param recentAnomaliesPerHost   how many anomalies the recent-anomalies store keeps per host
 * @param recentAnomaliesRetention how long the recent-anomalies store keeps an anomaly
 * @param dedupRetention           how long the (collector_id, topic) high-water marks outlive their
 *                                 collector's last event; a mark dropped earlier would let that
 *                                 collector's re-sends through
 * @param foldEvery                how often ended episodes are folded into the dwell histograms: each fold
 *                                 re-encodes every histogram it touches once, so folding less often costs
 *                                 less CPU, and the histograms lag by up to this much
 * @param dueBatch                 most deadlines one punctuation handles, so a burst of them cannot
 *                                 stall the stream thread past its poll interval; the rest follow a
 *                                 punctuation later
 * @param closeWaitThreshold       how long a socket may sit in CLOSE_WAIT before it is STUCK
 *                                 (CLOSE_WAIT_PAST_THRESHOLD): the kernel never reaps CLOSE_WAIT, so any bound is a
 *                                 judgement of how long an application may take to close
 * @param pairingTopic             the pairing path: closing-state ends keyed by each key of their key set, so both
 *                                 ends of a connection meet in one task
 * @param pairFactsTopic           what the pairing task found about an end's peer, keyed by the end's host; must have
 *                                 as many partitions as the transitions topic (it is read by the same tasks)
 * @param hostDirectoryTopic       hosts' namespace addresses and when they were last heard, keyed by host, read by
 *                                 every detector task (written to every partition; as many partitions as the transitions)
 */
public record StreamsSettings(
        String transitionsTopic,
        String heartbeatsTopic,
        String anomaliesTopic,
        String dlqTopic,
        Duration grace,
        Duration silenceAfter,
        Duration punctuateEvery,
        Duration defaultInterval,
        int recentAnomaliesPerHost,
        Duration recentAnomaliesRetention,
        Duration dedupRetention,
        Duration foldEvery,
        int dueBatch,
        Duration closeWaitThreshold,
        String pairingTopic,
        String pairFactsTopic,
        String hostDirectoryTopic) {

    public static final String DEFAULT_TRANSITIONS_TOPIC = "finwatch.transitions";
    public static final String DEFAULT_HEARTBEATS_TOPIC = "finwatch.heartbeats";
    public static final String DEFAULT_ANOMALIES_TOPIC = "finwatch.anomalies";
    public static final String DEFAULT_DLQ_TOPIC = "finwatch.dlq";
    public static final String DEFAULT_PAIRING_TOPIC = "finwatch.pairing";
    public static final String DEFAULT_PAIR_FACTS_TOPIC = "finwatch.pair-facts";
    public static final String DEFAULT_HOST_DIRECTORY_TOPIC = "finwatch.host-directory";
    public static final Duration DEFAULT_CLOSE_WAIT_THRESHOLD = Duration.ofSeconds(60);

    /** A collector polls once per interval; fewer than ten seconds of quiet is a hiccup, not a silence. */
    public static final Duration MIN_SILENCE = Duration.ofSeconds(10);

    /** A CLOSE_WAIT shorter than a second is an application between read() and close(), not a leak. */
    public static final Duration MIN_CLOSE_WAIT_THRESHOLD = Duration.ofSeconds(1);

    public StreamsSettings {
        Objects.requireNonNull(transitionsTopic, "transitionsTopic");
        Objects.requireNonNull(heartbeatsTopic, "heartbeatsTopic");
        Objects.requireNonNull(anomaliesTopic, "anomaliesTopic");
        Objects.requireNonNull(dlqTopic, "dlqTopic");
        Objects.requireNonNull(punctuateEvery, "punctuateEvery");
        Objects.requireNonNull(defaultInterval, "defaultInterval");
        Objects.requireNonNull(recentAnomaliesRetention, "recentAnomaliesRetention");
        Objects.requireNonNull(dedupRetention, "dedupRetention");
        Objects.requireNonNull(foldEvery, "foldEvery");
        Objects.requireNonNull(closeWaitThreshold, "closeWaitThreshold");
        Objects.requireNonNull(pairingTopic, "pairingTopic");
        Objects.requireNonNull(pairFactsTopic, "pairFactsTopic");
        Objects.requireNonNull(hostDirectoryTopic, "hostDirectoryTopic");
        if (closeWaitThreshold.compareTo(MIN_CLOSE_WAIT_THRESHOLD) < 0) {
            throw new IllegalArgumentException("close-wait-threshold " + closeWaitThreshold + " is below the minimum of "
                    + MIN_CLOSE_WAIT_THRESHOLD);
        }
        if (transitionsTopic.equals(heartbeatsTopic)) {
            throw new IllegalArgumentException("transitions and heartbeats must be different topics, both are " + transitionsTopic);
        }
        if (java.util.Set.of(transitionsTopic, heartbeatsTopic, anomaliesTopic, dlqTopic, pairingTopic, pairFactsTopic, hostDirectoryTopic)
                .size() != 7) {
            throw new IllegalArgumentException("the seven topics must be different topics: " + List.of(transitionsTopic, heartbeatsTopic,
                    anomaliesTopic, dlqTopic, pairingTopic, pairFactsTopic, hostDirectoryTopic));
        }
        if (grace != null && grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        if (silenceAfter != null && silenceAfter.compareTo(MIN_SILENCE) < 0) {
            throw new IllegalArgumentException("silence-after " + silenceAfter + " is below the minimum of " + MIN_SILENCE);
        }
        if (foldEvery.isNegative() || foldEvery.isZero()) {
            throw new IllegalArgumentException("fold interval must be positive: " + foldEvery);
        }
        if (punctuateEvery.isNegative() || punctuateEvery.isZero()) {
            throw new IllegalArgumentException("punctuate interval must be positive: " + punctuateEvery);
        }
        if (defaultInterval.isNegative() || defaultInterval.isZero()) {
            throw new IllegalArgumentException("default interval must be positive: " + defaultInterval);
        }
        if (recentAnomaliesPerHost < 1 || dueBatch < 1) {
            throw new IllegalArgumentException("recentAnomaliesPerHost and dueBatch must be positive");
        }
    }

    /** Every setting at its default. */
    public static StreamsSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Grace for an orphan on a host polling every {@code intervalMs}. */
    public long graceMs(long intervalMs) {
        return grace != null ? grace.toMillis() : 2 * intervalMs;
    }

    /** Quiet time after which a collector polling every {@code intervalMs} is silent. */
    public long silenceAfterMs(long intervalMs) {
        long ms = silenceAfter != null ? silenceAfter.toMillis() : 5 * intervalMs;
        return Math.max(ms, MIN_SILENCE.toMillis());
    }

    /** Settings one at a time, starting from the defaults; {@link #build} validates them together. */
    public static final class Builder {
        private String transitionsTopic = DEFAULT_TRANSITIONS_TOPIC;
        private String heartbeatsTopic = DEFAULT_HEARTBEATS_TOPIC;
        private String anomaliesTopic = DEFAULT_ANOMALIES_TOPIC;
        private String dlqTopic = DEFAULT_DLQ_TOPIC;
        private Duration grace;
        private Duration silenceAfter;
        private Duration punctuateEvery = Duration.ofSeconds(1);
        private Duration defaultInterval = Duration.ofSeconds(1);
        private int recentAnomaliesPerHost = 1000;
        private Duration recentAnomaliesRetention = Duration.ofHours(24);
        private Duration dedupRetention = Duration.ofDays(7);
        private Duration foldEvery = Duration.ofSeconds(5);
        private int dueBatch = 10_000;
        private Duration closeWaitThreshold = DEFAULT_CLOSE_WAIT_THRESHOLD;
        private String pairingTopic = DEFAULT_PAIRING_TOPIC;
        private String pairFactsTopic = DEFAULT_PAIR_FACTS_TOPIC;
        private String hostDirectoryTopic = DEFAULT_HOST_DIRECTORY_TOPIC;

        private Builder() {
        }

        public Builder topics(String transitions, String heartbeats, String anomalies, String dlq) {
            this.transitionsTopic = transitions;
            this.heartbeatsTopic = heartbeats;
            this.anomaliesTopic = anomalies;
            this.dlqTopic = dlq;
            return this;
        }

        /** Null: two poll intervals of the orphan's host. */
        public Builder grace(Duration value) {
            this.grace = value;
            return this;
        }

        /** Null: five poll intervals of the host. */
        public Builder silenceAfter(Duration value) {
            this.silenceAfter = value;
            return this;
        }

        public Builder punctuateEvery(Duration value) {
            this.punctuateEvery = value;
            return this;
        }

        public Builder defaultInterval(Duration value) {
            this.defaultInterval = value;
            return this;
        }

        public Builder recentAnomalies(int perHost, Duration retention) {
            this.recentAnomaliesPerHost = perHost;
            this.recentAnomaliesRetention = retention;
            return this;
        }

        public Builder dedupRetention(Duration value) {
            this.dedupRetention = value;
            return this;
        }

        /** The pairing path's three topics (see the record's parameters). */
        public Builder pairingTopics(String pairing, String pairFacts, String hostDirectory) {
            this.pairingTopic = pairing;
            this.pairFactsTopic = pairFacts;
            this.hostDirectoryTopic = hostDirectory;
            return this;
        }

        public Builder closeWaitThreshold(Duration value) {
            this.closeWaitThreshold = value;
            return this;
        }

        public Builder foldEvery(Duration value) {
            this.foldEvery = value;
            return this;
        }

        public Builder dueBatch(int value) {
            this.dueBatch = value;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is out of range */
        public StreamsSettings build() {
            return new StreamsSettings(transitionsTopic, heartbeatsTopic, anomaliesTopic, dlqTopic, grace, silenceAfter, punctuateEvery,
                    defaultInterval, recentAnomaliesPerHost, recentAnomaliesRetention, dedupRetention, foldEvery, dueBatch,
                    closeWaitThreshold, pairingTopic, pairFactsTopic, hostDirectoryTopic);
        }
    }
}
