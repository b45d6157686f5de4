package io.finwatch.streams.bench;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.state.PairingEnd;
import io.finwatch.streams.detect.ConnectionKey;
import io.finwatch.streams.pair.PairKeys;
import io.finwatch.streams.pair.PairingEnds;
import io.finwatch.streams.state.StoreKeys;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The least any exactly-once detector that pairs ends must do per transition, with none of finwatch's logic: decode
 * it, write it to one changelogged store by connection (with a record cache, as the detector's connections store
 * has, so writes of one key within a commit make one changelog record), and send a closing end once per pairing key
 * through a repartition topic into a second task that decodes it and writes it to a changelogged store of its own.
 * Heartbeats are read and dropped.
 *
 * <p>Without pairing ({@code floor-local}) it is the same less the repartition hop and the second task.
 *
 * <p>What this reaches against the no-op floor of the same run is the most a detector of this design can reach; the
 * distance from here to the detector is finwatch's own work (episodes, verdicts, dwell, open counts, directory).
 */
final class DesignFloorTopology {
    static final String CONNECTIONS = "floor-connections";
    static final String ENDS = "floor-ends";
    static final String PAIRING = "floor-pairing";

    private DesignFloorTopology() {
    }

    /** @param pairing whether closing ends go through the repartition topic to the second task (else they are dropped) */
    static Topology build(String transitions, String heartbeats, int partitions, boolean pairing) {
        StreamsBuilder b = new StreamsBuilder();
        b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(CONNECTIONS), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled());
        KStream<String, byte[]> ends = b.stream(List.of(transitions, heartbeats), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .process(() -> new Detect(transitions, pairing), CONNECTIONS);
        if (pairing) {
            b.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ENDS), Serdes.String(), Serdes.ByteArray())
                    .withCachingEnabled());
            ends.repartition(Repartitioned.with(Serdes.String(), Serdes.ByteArray()).withName(PAIRING).withNumberOfPartitions(partitions))
                    .process(Pair::new, ENDS);
        }
        return b.build();
    }

    private static final class Detect implements Processor<byte[], byte[], String, byte[]> {
        private final String transitions;
        private final boolean pairing;
        private final FinwatchSerde serde = FinwatchSerde.shared();
        private ProcessorContext<String, byte[]> context;
        private KeyValueStore<String, byte[]> connections;

        Detect(String transitions, boolean pairing) {
            this.transitions = transitions;
            this.pairing = pairing;
        }

        @Override
        public void init(ProcessorContext<String, byte[]> context) {
            this.context = context;
            this.connections = context.getStateStore(CONNECTIONS);
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            if (!context.recordMetadata().orElseThrow().topic().equals(transitions)
                    || !(serde.decodeEither(record.value(), SocketTransition.class, CollectorHeartbeat.class) instanceof SocketTransition t)) {
                return;
            }
            connections.put(ConnectionKey.of(t).text(), record.value());
            if (pairing && PairingEnds.onPath(t)) {
                PairingEnd end = PairingEnds.of(t);
                byte[] bytes = serde.encode(end);
                for (PairKeys.Keyed k : PairingEnds.keys(end)) {
                    context.forward(new Record<>(k.key(), bytes, record.timestamp()));
                }
            }
        }
    }

    private static final class Pair implements Processor<String, byte[], Void, Void> {
        private final FinwatchSerde serde = FinwatchSerde.shared();
        private KeyValueStore<String, byte[]> ends;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.ends = context.getStateStore(ENDS);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            PairingEnd end = serde.decode(record.value(), PairingEnd.class);
            ends.put(StoreKeys.pairEnd(record.key(), PairingEnds.id(end)), record.value());
        }
    }
}
