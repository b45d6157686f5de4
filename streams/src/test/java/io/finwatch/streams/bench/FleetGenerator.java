package io.finwatch.streams.bench;

import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A fleet's worth of collector output for the benchmark: many hosts, each second each host sees new
 * connections whose whole life is reported, in a mix close to what 1 s polls of busy servers show. Most
 * connections never show FIN_WAIT2 at a poll (it lasts milliseconds when the peer closes promptly); about
 * one in seven does, attached and sometimes orphaned while in it; a few stay attached and become stuck.
 * Every host sends a heartbeat per simulated second, and runs a dozen services that own its sockets.
 */
final class FleetGenerator {

    private final List<CollectorRun> runs = new ArrayList<>();
    private final Random random;
    private final FinwatchSerde serde = FinwatchSerde.shared();
    private final String transitions;
    private final String heartbeats;
    private int port;
    private Instant clock;
    long transitionsWritten;
    long heartbeatsWritten;
    long episodes;
    long stuck;

    FleetGenerator(int hosts, Instant start, String transitions, String heartbeats, long seed) {
        this.random = new Random(seed);
        this.transitions = transitions;
        this.heartbeats = heartbeats;
        this.clock = start;
        for (int h = 0; h < hosts; h++) {
            runs.add(new CollectorRun(String.format("node-%04d", h), "run-" + h, start, 1000, 3600));
        }
    }

    /** Writes simulated seconds until at least {@code count} transitions are out. */
    void generate(long count, Consumer<ProducerRecord<byte[], byte[]>> out) {
        int connectionsPerHostSecond = 10;
        while (transitionsWritten < count) {
            for (CollectorRun run : runs) {
                emit(out, heartbeats, run.host(), run.at(clock).heartbeat());
                heartbeatsWritten++;
                for (int c = 0; c < connectionsPerHostSecond; c++) {
                    connection(run, clock, out);
                }
            }
            clock = clock.plusSeconds(1);
        }
    }

    private void connection(CollectorRun run, Instant t, Consumer<ProducerRecord<byte[], byte[]>> out) {
        CollectorRun.Socket s = run.socket(1024 + (port++ % 60000));
        // A host runs a dozen services; its sockets belong to them.
        int service = random.nextInt(12);
        Proc p = new Proc(1000 + service, "svc" + service, null);
        int shape = random.nextInt(10_000);
        List<SocketTransition> life = new ArrayList<>(4);
        run.at(t);
        life.add(run.attached(s, null, TcpState.ESTABLISHED, p));
        Instant later = t.plusMillis(1000 + random.nextInt(30_000));
        if (shape < 7000) {
            life.add(run.at(later).attached(s, TcpState.ESTABLISHED, TcpState.TIME_WAIT, p));
            life.add(run.at(later.plusSeconds(60)).gone(s, TcpState.TIME_WAIT));
        } else if (shape < 8500) {
            life.add(run.at(later).attached(s, TcpState.ESTABLISHED, TcpState.CLOSE_WAIT, p));
            life.add(run.at(later.plusSeconds(1)).attached(s, TcpState.CLOSE_WAIT, TcpState.LAST_ACK, p));
            life.add(run.at(later.plusSeconds(2)).gone(s, TcpState.LAST_ACK));
        } else if (shape < 9700) {
            episodes++;
            life.add(run.at(later).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
            life.add(run.at(later.plusMillis(1000 + random.nextInt(20_000))).attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, p));
            life.add(run.at(later.plusSeconds(90)).gone(s, TcpState.TIME_WAIT));
        } else if (shape < 9995) {
            episodes++;
            life.add(run.at(later).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
            Instant closed = later.plusMillis(500 + random.nextInt(5_000));
            life.add(run.at(closed).orphan(s, TcpState.FIN_WAIT2, TcpState.FIN_WAIT2, p, 60_000));
            life.add(run.at(closed.plusMillis(random.nextInt(60_000))).gone(s, TcpState.FIN_WAIT2));
        } else {
            // Attached and never leaving, with a fin timeout long past: STUCK as soon as it is processed.
            stuck++;
            run.finTimeout(60);
            life.add(run.at(later.minusSeconds(600)).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
            run.finTimeout(3600);
        }
        for (SocketTransition st : life) {
            emit(out, transitions, run.host(), st);
            transitionsWritten++;
        }
    }

    private void emit(Consumer<ProducerRecord<byte[], byte[]>> out, String topic, String host, SpecificRecord event) {
        out.accept(new ProducerRecord<>(topic, host.getBytes(StandardCharsets.UTF_8), serde.encode(event)));
    }
}
