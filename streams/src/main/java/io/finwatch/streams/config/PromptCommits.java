package io.finwatch.streams.config;

import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks for a commit soon where commits are rare, for output another task waits on. Under exactly-once a record is
 * read downstream only once the transaction that wrote it commits: at the fleet's 100 ms that is soon anyway, but
 * under {@code local}'s 10 s each hop of the pairing path (ends to the pairing task, facts back to the detector)
 * waited up to a commit interval, so a STUCK came out before its peer was known and its verdict followed seconds
 * later. At most one request a second per task, so a burst of closes costs one transaction a second, not one each;
 * an idle detector asks for none.
 */
public final class PromptCommits {

    /** Commit intervals up to this are prompt enough; the same bound as the detector's commit after an anomaly. */
    public static final long PROMPT_MS = 1_000;

    private final ProcessorContext<?, ?> context;
    private final boolean active;
    private long lastAskedAt = Long.MIN_VALUE;

    private PromptCommits(ProcessorContext<?, ?> context, boolean active) {
        this.context = context;
        this.active = active;
    }

    public static PromptCommits of(ProcessorContext<?, ?> context) {
        return new PromptCommits(context, commitIntervalMs(context.appConfigs()) > PROMPT_MS);
    }

    /** The configured commit interval; 0 when not set. */
    public static long commitIntervalMs(Map<String, Object> configs) {
        Object v = configs.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        return v == null ? 0 : Long.parseLong(v.toString());
    }

    /** Output was just forwarded that another task reads: commit it soon, unless a request went out within the second. */
    public void request() {
        if (!active) {
            return;
        }
        long now = context.currentSystemTimeMs();
        if (lastAskedAt == Long.MIN_VALUE || now - lastAskedAt >= PROMPT_MS) {
            lastAskedAt = now;
            context.commit();
        }
    }
}
