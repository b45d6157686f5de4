package io.finwatch.collector.daemon;

import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.kernel.DestroyListener;
import io.finwatch.collector.kernel.StateChangeQueue;
import io.finwatch.collector.publish.KafkaPublisher;
import io.finwatch.collector.track.PollResult;
import io.finwatch.collector.track.SocketEnds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The collector's Prometheus metrics. Names are documented in docs/operations.md. */
final class CollectorMetrics implements AutoCloseable {
    private final MeterRegistry registry;
    private final Timer pollDuration;
    private final Counter transitions;
    private final Counter shedTransitions;
    private final Counter parseErrors;
    private final Counter readErrors;
    private final Counter pollFailures;
    private final Counter wholeReads;
    private final Counter unsettledReads;
    private final Counter skippedReads;
    private final MultiGauge socketsPerNetns;
    private final MultiGauge finTimeoutPerNetns;
    private final OwnerMetrics owners;
    private final ConntrackMetrics conntrack;
    private KafkaClientMetrics producerMetrics;
    private boolean closed;

    CollectorMetrics(MeterRegistry registry) {
        this.registry = registry;
        pollDuration = Timer.builder("finwatch_poll_duration").description("Wall time of one poll of every namespace")
                .publishPercentiles(0.5, 0.99).register(registry);
        transitions = Counter.builder("finwatch_transitions").description("Socket state transitions emitted")
                .register(registry);
        shedTransitions = Counter.builder("finwatch_transitions_shed")
                .description("Transitions refused by the buffer under its disk cap").register(registry);
        parseErrors = Counter.builder("finwatch_parse_errors").description("Malformed /proc/net/tcp lines skipped")
                .register(registry);
        readErrors = Counter.builder("finwatch_read_errors").description("Socket tables that could not be read")
                .register(registry);
        pollFailures = Counter.builder("finwatch_poll_failures").description("Polls that failed as a whole")
                .register(registry);
        wholeReads = tableReads(registry, "whole", "Namespace tables read with every socket");
        unsettledReads = tableReads(registry, "unsettled",
                "Namespace tables read without their ESTABLISHED and LISTEN sockets (collect --full-scan-every)");
        skippedReads = tableReads(registry, "none",
                "Namespace tables left unread: the kernel announced no state change there (collect --state-feed)");
        socketsPerNetns = MultiGauge.builder("finwatch_sockets").description("Sockets per network namespace")
                .register(registry);
        finTimeoutPerNetns = MultiGauge.builder("finwatch_netns_fin_timeout_seconds")
                .description("tcp_fin_timeout per network namespace").register(registry);
        owners = new OwnerMetrics(registry);
        conntrack = new ConntrackMetrics(registry);
    }

    private static Counter tableReads(MeterRegistry registry, String scope, String description) {
        return Counter.builder("finwatch_table_reads").tag("scope", scope).description(description).register(registry);
    }

    void bindBuffer(EventBuffer buffer) {
        Gauge.builder("finwatch_buffer_depth_events", buffer, b -> b.stats().depthEvents())
                .description("Events in the buffer not yet acknowledged by Kafka").register(registry);
        Gauge.builder("finwatch_buffer_depth_bytes", buffer, b -> b.stats().depthBytes())
                .description("Bytes of unacknowledged events (what --buffer-max-bytes caps)").register(registry);
        Gauge.builder("finwatch_buffer_files", buffer, b -> b.stats().fileCount())
                .description("Chronicle cycle files on disk").register(registry);
        FunctionCounter.builder("finwatch_buffer_shed_events", buffer, EventBuffer::shedTotal)
                .description("Events dropped under the disk cap (transitions and heartbeats)").register(registry);
        FunctionCounter.builder("finwatch_buffer_retention_failures", buffer, EventBuffer::retentionFailures)
                .description("Failed sweeps of acknowledged cycle files (the files stay until a sweep succeeds)")
                .register(registry);
        FunctionCounter.builder("finwatch_buffer_corrupt_records", buffer, EventBuffer::corruptRecords)
                .description("Unreadable buffer records skipped (torn, CRC mismatch)").register(registry);
        FunctionCounter.builder("finwatch_buffer_lost_events", buffer, EventBuffer::lostTotal)
                .description("Events lost from the buffer (unreadable or missing records), declared in heartbeats' "
                        + "lost_ranges").register(registry);
        Gauge.builder("finwatch_publish_lag_events", buffer, EventBuffer::depthEvents)
                .description("Events appended but not yet acknowledged").register(registry);
    }

    /** The destroy notifications' counters; {@code listener} is null when they are off. */
    void bindDestroys(DestroyListener listener, SocketEnds ends) {
        if (listener == null) {
            return;
        }
        FunctionCounter.builder("finwatch_destroy_notifications", listener, DestroyListener::notifications)
                .description("TCP destroy notifications received from the kernel").register(registry);
        FunctionCounter.builder("finwatch_destroy_overflows", listener, DestroyListener::overflows)
                .description("Times a namespace's notification buffer overflowed and the kernel dropped some "
                        + "(the poll still sees those ends, at its own time)").register(registry);
        FunctionCounter.builder("finwatch_destroy_dropped", listener, DestroyListener::dropped)
                .description("Notifications dropped because too many waited for the next poll").register(registry);
        FunctionCounter.builder("finwatch_destroy_malformed", listener, DestroyListener::malformed)
                .description("Notifications that could not be decoded").register(registry);
        Gauge.builder("finwatch_destroy_namespaces", listener, DestroyListener::namespaces)
                .description("Namespaces whose destroy notifications are listened to").register(registry);
        FunctionCounter.builder("finwatch_destroy_ends", ends, SocketEnds::destroyed).tag("kind", "polled")
                .description("Ends of polled sockets timed by their destroy notification").register(registry);
        FunctionCounter.builder("finwatch_destroy_ends", ends, SocketEnds::seenOnly).tag("kind", "seen_only")
                .description("Sockets that lived and died between two polls, reported from their notification")
                .register(registry);
        FunctionCounter.builder("finwatch_destroy_ends", ends, SocketEnds::ambiguous).tag("kind", "ambiguous")
                .description("Notifications of unpolled sockets left out because a polled socket has the tuple")
                .register(registry);
    }

    void bindFeed(StateChangeQueue feed) {
        Gauge.builder("finwatch_state_feed_active", () -> feed == null ? 0 : 1)
                .description("1 while the kernel's TCP state changes are read (collect --state-feed), so that polls "
                        + "skip the namespaces where none happened; 0 when off or refused (the log says why)")
                .register(registry);
        if (feed == null) {
            return;
        }
        FunctionCounter.builder("finwatch_state_changes", feed, StateChangeQueue::changesTotal)
                .description("TCP state changes into or out of a closing state read from the kernel").register(registry);
        FunctionCounter.builder("finwatch_state_changes_lost", feed, StateChangeQueue::lostTotal)
                .description("State changes lost: dropped by the kernel because a ring was full, or because more than "
                        + "100,000 waited for one poll (every namespace is then read at the next poll)").register(registry);
        FunctionCounter.builder("finwatch_state_changes_malformed", feed, StateChangeQueue::malformedTotal)
                .description("State changes that could not be decoded").register(registry);
    }

    void bindPublisher(KafkaPublisher publisher) {
        FunctionCounter.builder("finwatch_publish_acknowledged", publisher, KafkaPublisher::acknowledged)
                .description("Events Kafka acknowledged").register(registry);
        FunctionCounter.builder("finwatch_publish_retried", publisher, KafkaPublisher::retried)
                .description("Sends retried after a retriable error").register(registry);
        FunctionCounter.builder("finwatch_publish_failed", publisher, KafkaPublisher::failed)
                .description("Sends that failed with a non-retriable error (publishing stops; see logs)")
                .register(registry);
        Gauge.builder("finwatch_publish_lag_seconds", publisher, p -> p.lagMillis() / 1000.0)
                .description("Age of the oldest event Kafka has not acknowledged (0 when none waits)").register(registry);
        Gauge.builder("finwatch_publish_state", publisher, p -> p.state().ordinal())
                .description("Publisher state: 0 NEW, 1 RUNNING, 2 RETRYING, 3 BLOCKED, 4 STOPPED, 5 STALLED (events "
                        + "wait and nothing is acknowledged; see /healthz)").register(registry);
        // The producer exists once its bootstrap servers resolve, which may be long after start.
        publisher.whenProducerReady(producer -> {
            synchronized (this) {
                if (!closed) {
                    producerMetrics = new KafkaClientMetrics(producer);
                    producerMetrics.bindTo(registry);
                }
            }
        });
    }

    void recordPoll(PollResult poll, int changes, int shed) {
        pollDuration.record(poll.durationNanos(), TimeUnit.NANOSECONDS);
        transitions.increment(changes);
        shedTransitions.increment(shed);
        parseErrors.increment(poll.errors().size());
        readErrors.increment(poll.readFailures().size());
        unsettledReads.increment(poll.unsettledOnly().size());
        skippedReads.increment(poll.unread().size());
        wholeReads.increment(poll.namespaces().namespaces().size() - poll.unsettledOnly().size() - poll.unread().size());
        List<MultiGauge.Row<?>> sockets = new ArrayList<>();
        for (Map.Entry<Long, Integer> e : poll.socketsPerNetns().entrySet()) {
            sockets.add(MultiGauge.Row.of(Tags.of("netns", Long.toString(e.getKey())), e.getValue()));
        }
        socketsPerNetns.register(sockets, true);
        List<MultiGauge.Row<?>> fins = new ArrayList<>();
        poll.finTimeouts().forEach((netns, fin) -> fins.add(MultiGauge.Row.of(
                Tags.of("netns", Long.toString(netns), "source", fin.source().name()), fin.seconds())));
        finTimeoutPerNetns.register(fins, true);
        owners.record(poll);
        conntrack.record(poll);
    }

    void pollFailed() {
        pollFailures.increment();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (producerMetrics != null) {
            producerMetrics.close();
        }
    }
}
