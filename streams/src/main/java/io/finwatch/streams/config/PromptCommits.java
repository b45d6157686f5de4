package io.finwatch.streams.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Asks for a commit soon where commits are rare, for output another task waits on. Under exactly-once a record is
 * read downstream only once the transaction that wrote it commits: at the fleet's 100 ms that is soon anyway, but
 * under {@code local}'s 10 s each hop of the pairing path (ends to the pairing task, facts back to the detector)
 * waited up to a commit interval, so a STUCK came out before its peer was known and its verdict followed seconds
 * later. At most one commit a second per task, so a burst of closes costs one transaction a second, not one each;
 * an idle detector asks for none.
 *
 * <p>Output asked for within the second of the last commit goes out at the end of that second, not at the next
 * interval: the two ends of one shutdown are often read in polls a few hundred ms apart, and the second end waiting
 * 10 s for its commit was a STUCK without its verdict.
 */
public final class PromptCommits implements AutoCloseable {

    /** Commit intervals up to this are prompt enough; the same bound as the detector's commit after an anomaly. */
    public static final long PROMPT_MS = 1_000;

    private final ProcessorContext<?, ?> context;
    private final boolean active;
    /** Wakes an idle stream thread for the deferred commit, which a long idle poll would otherwise delay. */
    private final PunctuationAlarm.Slot alarm;
    private long lastAskedAt = Long.MIN_VALUE;
    /** The commit deferred to the end of the second, while one is. */
    private Cancellable deferred;

    private PromptCommits(ProcessorContext<?, ?> context, boolean active) {
        this.context = context;
        this.active = active;
        this.alarm = PunctuationAlarm.of(active ? context.appConfigs() : Map.of());
    }

    /** Prompt commits for the processor of {@code context}; {@linkplain #close() closed} with it. */
    public static PromptCommits of(ProcessorContext<?, ?> context) {
        return new PromptCommits(context, commitIntervalMs(context.appConfigs()) > PROMPT_MS);
    }

    /** The configured commit interval; 0 when not set. */
    public static long commitIntervalMs(Map<String, Object> configs) {
        Object v = configs.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG);
        return v == null ? 0 : Long.parseLong(v.toString());
    }

    /**
     * Output was just forwarded that another task reads: commit it now, or at the end of the second when a commit
     * was asked for within it.
     */
    public void request() {
        if (!active) {
            return;
        }
        long now = context.currentSystemTimeMs();
        if (lastAskedAt == Long.MIN_VALUE || now - lastAskedAt >= PROMPT_MS) {
            commit(now);
        } else if (deferred == null) {
            long due = lastAskedAt + PROMPT_MS;
            deferred = context.schedule(Duration.ofMillis(Math.max(1, due - now)), PunctuationType.WALL_CLOCK_TIME, this::commit);
            if (alarm.active()) {
                alarm.atOrBefore(due);
            }
        }
    }

    private void commit(long now) {
        if (deferred != null) {
            deferred.cancel();
            deferred = null;
            if (alarm.active()) {
                alarm.at(PunctuationAlarm.NEVER);
            }
        }
        lastAskedAt = now;
        context.commit();
    }

    /** Drops a deferred commit's alarm with its processor: a due time left behind would keep idle polls short. */
    @Override
    public void close() {
        alarm.close();
    }
}
