package io.finwatch.streams.app;

import io.finwatch.common.http.MetricsRoutes.Health;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;

/**
 * /healthz from the Kafka Streams state: RUNNING and REBALANCING are healthy (a rebalance is routine);
 * CREATED (not started yet), PENDING_SHUTDOWN, NOT_RUNNING, PENDING_ERROR and ERROR are not.
 */
public final class StreamsHealth implements KafkaStreams.StateListener {

    private final AtomicReference<KafkaStreams.State> state = new AtomicReference<>(KafkaStreams.State.CREATED);

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        state.set(newState);
    }

    public KafkaStreams.State state() {
        return state.get();
    }

    public Health health() {
        KafkaStreams.State s = state.get();
        boolean ok = s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
        return new Health(ok, "kafka streams " + s);
    }
}
