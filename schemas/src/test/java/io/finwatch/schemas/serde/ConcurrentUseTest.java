package io.finwatch.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** One shared serde, used from several threads at once, as Kafka producers and stream threads will. */
class ConcurrentUseTest {

    private static final int THREADS = 4;
    private static final int ROUNDS = 2_000;

    @Test
    void sharedSerdeEncodesAndDecodesFromManyThreads() throws Exception {
        FinwatchSerde serde = FinwatchSerde.shared();
        List<SpecificRecord> samples = List.of(SampleEvents.transition(), SampleEvents.heartbeat(), SampleEvents.anomaly());
        List<Class<? extends SpecificRecord>> types = List.of(SocketTransition.class, CollectorHeartbeat.class, FinWait2Anomaly.class);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int offset = t;
                Callable<Integer> worker = () -> {
                    start.await();
                    int mismatches = 0;
                    for (int i = 0; i < ROUNDS; i++) {
                        int k = (i + offset) % samples.size();
                        byte[] bytes = serde.encode(samples.get(k));
                        if (!serde.decode(bytes, types.get(k)).equals(samples.get(k)) || !serde.decodeAny(bytes).equals(samples.get(k))) {
                            mismatches++;
                        }
                    }
                    return mismatches;
                };
                results.add(pool.submit(worker));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(2, TimeUnit.MINUTES)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
