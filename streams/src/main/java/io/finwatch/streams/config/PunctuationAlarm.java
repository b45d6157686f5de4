package io.finwatch.streams.config;

import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * When a stream thread that waits long for records must wake anyway, because a wall-clock punctuation has something
 * to do then: a deadline comes due, a collector's silence is up, a held heartbeat's wait is over.
 *
 * <p>Kafka Streams runs wall-clock punctuations only between polls of its main consumer, and an idle poll waits
 * {@code poll.ms}. With the default 100 ms the thread wakes ten times a second to find nothing to do, which was a
 * large part of {@code finwatch local}'s CPU at rest; with a longer {@code poll.ms} a STUCK would wait for the next
 * record or the end of the poll. So the processors say here when they next have work ({@link Slot#at}), and the main
 * consumer's poll waits no longer than that ({@code AlarmedClientSupplier}); at nothing due, the whole
 * {@code poll.ms}. A due time in the past is met by polls of {@link #FLOOR_MS} until the punctuation has run, as
 * every idle poll was before.
 *
 * <p>Handed to the processors through the application configs ({@link #CONFIG}); absent (the fleet's default
 * {@code poll.ms}, tests), {@link #of} gives a slot that does nothing.
 */
public final class PunctuationAlarm {
    /** Key of the alarm among the Kafka Streams configs (an object, not a string). */
    public static final String CONFIG = "finwatch.punctuation.alarm";
    /** The shortest wait of a poll the alarm shortens: Kafka Streams' default {@code poll.ms}. */
    public static final long FLOOR_MS = 100;
    /** No work due. */
    public static final long NEVER = Long.MAX_VALUE;

    private static final Slot NONE = new Slot(null);

    private final CopyOnWriteArrayList<Slot> slots = new CopyOnWriteArrayList<>();
    /**
     * Whether Kafka Streams is RUNNING. Until then (starting, rebalancing, restoring) the stream thread moves its tasks
     * on only between polls: polls of the full {@code poll.ms} made a start seconds slower.
     */
    private volatile boolean running;

    /** Whether {@code pollMs} is long enough for the alarm to matter: an idle poll would outlast a punctuation. */
    public static boolean wanted(long pollMs) {
        return pollMs > FLOOR_MS;
    }

    /** A slot of the alarm in {@code appConfigs}, or one that does nothing when there is none. */
    public static Slot of(Map<String, Object> appConfigs) {
        return appConfigs.get(CONFIG) instanceof PunctuationAlarm alarm ? alarm.slot() : NONE;
    }

    /** A new slot, due never until set. One per processor instance; it is {@linkplain Slot#close() closed} with it. */
    public Slot slot() {
        Slot s = new Slot(this);
        slots.add(s);
        return s;
    }

    /** The earliest due time of any slot, epoch ms; {@link #NEVER} when none has work. */
    public long nextDueMs() {
        long min = NEVER;
        for (Slot s : slots) {
            min = Math.min(min, s.dueAt);
        }
        return min;
    }

    /** Kafka Streams is RUNNING ({@code true}), or starting, rebalancing or restoring. */
    public void running(boolean value) {
        running = value;
    }

    /**
     * How long an idle poll asked to wait {@code requestedMs} at {@code nowMs} may wait: to the next due time, but
     * never less than {@link #FLOOR_MS} nor more than asked; no more than {@link #FLOOR_MS} unless Kafka Streams is
     * {@linkplain #running(boolean) running}.
     */
    public long pollWaitMs(long requestedMs, long nowMs) {
        if (requestedMs <= FLOOR_MS) {
            return requestedMs;
        }
        if (!running) {
            return FLOOR_MS;
        }
        long due = nextDueMs();
        if (due == NEVER) {
            return requestedMs;
        }
        long untilDue = due - nowMs;
        return Math.min(requestedMs, Math.max(FLOOR_MS, untilDue));
    }

    @Override
    public String toString() {
        return "PunctuationAlarm(" + slots.size() + " slots)";
    }

    /** One processor's next due time. Written by its stream thread, read by the same thread's consumer. */
    public static final class Slot implements AutoCloseable {
        private final PunctuationAlarm alarm;
        private volatile long dueAt = NEVER;

        private Slot(PunctuationAlarm alarm) {
            this.alarm = alarm;
        }

        /** Whether an alarm reads this slot: without one, a processor need not work out its due times. */
        public boolean active() {
            return alarm != null;
        }

        /** The processor next has work at {@code epochMs} ({@link #NEVER}: none until it says otherwise). */
        public void at(long epochMs) {
            dueAt = epochMs;
        }

        /** As {@link #at}, unless the slot is already due sooner. */
        public void atOrBefore(long epochMs) {
            if (epochMs < dueAt) {
                dueAt = epochMs;
            }
        }

        @Override
        public void close() {
            if (alarm != null) {
                alarm.slots.remove(this);
            }
        }
    }
}
