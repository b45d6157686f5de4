package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.AnomalyKind;
import io.finwatch.schemas.FinWait2Anomaly;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DuplicatesTest extends DetectorTest {

    static final Proc APP = new Proc(777, "java", null);

    CollectorRun run;

    @BeforeEach
    void start() {
        run = new CollectorRun("node-2", "run-1", T0, 1000, 60);
    }

    @Test
    void redeliveredEventsAreDroppedAndCounted() {
        Socket s = run.socket(41000);
        SocketTransition enter = run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP);
        run.at(T0.plusSeconds(100));
        SocketTransition leave = run.gone(s, TcpState.FIN_WAIT2);

        // An at-least-once producer that retried: everything twice, and the entry once more after the exit.
        det.send(enter).send(enter).send(leave).send(leave).send(enter);

        assertThat(det.anomalies()).extracting(FinWait2Anomaly::getKind).containsExactly(AnomalyKind.STUCK, AnomalyKind.RESOLVED);
        assertThat(det.metrics().counterValue("finwatch_streams_duplicates_dropped_total", "topic", det.settings().transitionsTopic()))
                .isEqualTo(3);
        KeyValueStoreView view = new KeyValueStoreView(det);
        assertThat(view.connection(enter)).as("the replayed entry did not reopen the episode").isNull();
    }

    @Test
    void aNewRunOfTheSameCollectorIsNewEvenWhereItsNumbersRepeat() {
        // The collector lost its buffer directory: the next run numbers from the start again, under a new epoch.
        CollectorRun first = new CollectorRun("node-2", "node-2-buffer", T0, 1000, 60).epoch(1_000);
        Socket a = first.socket(41010);
        Socket b = first.socket(41011);
        SocketTransition aEnters = first.attached(a, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP);
        det.send(first.heartbeat()).send(aEnters);

        CollectorRun second = new CollectorRun("node-2", "node-2-buffer", T0.plusSeconds(5), 1000, 60).epoch(2_000);
        SocketTransition bEnters = second.attached(b, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP);
        assertThat(bEnters.getSeq()).as("the same number as the first run's transition").isEqualTo(aEnters.getSeq());
        det.send(second.heartbeat()).send(bEnters);

        KeyValueStoreView view = new KeyValueStoreView(det);
        assertThat(view.connection(bEnters)).as("not taken for a re-send of the first run's event").isNotNull();
        assertThat(det.metrics().counterValue("finwatch_streams_duplicates_dropped_total", "topic", det.settings().transitionsTopic()))
                .isZero();
        // A re-send of the first run's event still is one.
        det.send(aEnters);
        assertThat(det.metrics().counterValue("finwatch_streams_duplicates_dropped_total", "topic", det.settings().transitionsTopic()))
                .isEqualTo(1);
    }

    @Test
    void heartbeatsAndTransitionsKeepSeparateHighWaterMarks() {
        // One sequence across both topics: heartbeat seq 1, transition seq 2, heartbeat seq 3.
        det.send(run.heartbeat());
        SocketTransition enter = run.attached(run.socket(41001), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP);
        det.send(run.heartbeat());
        // The transition (seq 2) is read after the heartbeat with seq 3 from the other topic: still new.
        det.send(enter);

        assertThat(new KeyValueStoreView(det).connection(enter)).isNotNull();
        assertThat(det.metrics().counterValue("finwatch_streams_duplicates_dropped_total", "topic", det.settings().transitionsTopic()))
                .isZero();
    }

    @Test
    void restartedCollectorResendingFirstSeenKeepsTheEpisode() {
        Socket s = run.socket(41002);
        det.send(run.heartbeat()).send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP));
        det.advance(Duration.ofSeconds(5));

        // The collector restarts: a new run, seq from 1, and FIRST_SEEN for what it finds.
        CollectorRun restarted = new CollectorRun("node-2", "run-2", det.wallClock(), 1000, 60);
        det.send(restarted.heartbeat()).send(restarted.attached(s, null, TcpState.FIN_WAIT2, APP));

        ConnectionState c = new KeyValueStoreView(det).connection(run.attached(s, null, TcpState.FIN_WAIT2, APP));
        assertThat(c.enteredAt()).isEqualTo(T0.toEpochMilli());
        assertThat(c.fireAt()).isEqualTo(T0.plusSeconds(60).toEpochMilli());
        OpenCounts open = det.<String, OpenCounts>keyValueStore(StoreNames.OPEN_FIN_WAIT2_HOSTS).get(StoreKeys.host("node-2"));
        assertThat(open).isEqualTo(new OpenCounts(1, 0));
    }

    @Test
    void restartedCollectorSeeingTheSocketInAnotherStateEndsTheEpisode() {
        Socket s = run.socket(41003);
        det.send(run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, APP));

        CollectorRun restarted = new CollectorRun("node-2", "run-2", T0.plusSeconds(10), 1000, 60);
        det.send(restarted.attached(s, null, TcpState.TIME_WAIT, APP));

        assertThat(new KeyValueStoreView(det).connection(run.attached(s, null, TcpState.FIN_WAIT2, APP))).isNull();
        assertThat(det.<String, OpenCounts>keyValueStore(StoreNames.OPEN_FIN_WAIT2_HOSTS).get("node-2")).isNull();
        assertThat(det.anomalies()).isEmpty();
    }

    /** Reads the connections store by the key of a transition's socket. */
    record KeyValueStoreView(DetectorHarness det) {
        ConnectionState connection(SocketTransition t) {
            return det.<String, ConnectionState>keyValueStore(StoreNames.CONNECTIONS).get(ConnectionKey.of(t).text());
        }
    }
}
