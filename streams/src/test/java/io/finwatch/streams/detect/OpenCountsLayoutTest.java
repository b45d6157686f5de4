package io.finwatch.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.TcpState;
import io.finwatch.streams.config.StreamsSettings;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts' and workloads' FIN_WAIT2 counts have stores of their own; a detector upgraded on the state of a release
 * that kept them beside the processes' counts goes on from those counts instead of starting them from zero.
 */
class OpenCountsLayoutTest {

    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Proc NGINX = new Proc(100, "nginx", null);

    @TempDir
    Path stateDir;

    @Test
    void countsOfTheEarlierLayoutMoveToTheirOwnStoresAndCountOn() {
        CollectorRun run = new CollectorRun("node-7", "run-1", T0, 1000, 3600);
        Socket a = run.socket(48000);
        Socket b = run.socket(48001);
        Socket orphan = run.socket(48002);

        DetectorHarness earlier = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0, StreamsConfig.AT_LEAST_ONCE);
        earlier.send(run.heartbeat());
        earlier.send(run.attached(a, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
        earlier.send(run.attached(b, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
        earlier.send(run.orphan(orphan, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, NGINX, 60_000));
        // What the release before the split left: every count in the processes' store.
        KeyValueStore<String, OpenCounts> processes = earlier.keyValueStore(StoreNames.OPEN_FIN_WAIT2);
        for (String store : new String[] {StoreNames.OPEN_FIN_WAIT2_HOSTS, StoreNames.OPEN_FIN_WAIT2_WORKLOADS}) {
            KeyValueStore<String, OpenCounts> own = earlier.keyValueStore(store);
            entries(own).forEach((k, v) -> {
                processes.put(k, v);
                own.delete(k);
            });
        }
        Map<String, OpenCounts> before = entries(processes);
        assertThat(before).containsKeys("node-7", "node-7|100|nginx", "node-7|~open|||nginx");
        earlier.crashAfterCommit();

        DetectorHarness upgraded = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0.plusSeconds(5), StreamsConfig.AT_LEAST_ONCE);
        try {
            assertThat(gauge(upgraded, "attached")).as("the gauges start from the earlier layout's host counts").isEqualTo(2);
            assertThat(gauge(upgraded, "orphaned")).isEqualTo(1);

            upgraded.send(run.at(T0.plusSeconds(5)).attached(run.socket(48003), TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
            upgraded.advance(Duration.ofSeconds(1));

            assertThat(entries(upgraded.keyValueStore(StoreNames.OPEN_FIN_WAIT2_HOSTS))).containsExactly(
                    Map.entry("node-7", new OpenCounts(3, 1)));
            assertThat(entries(upgraded.keyValueStore(StoreNames.OPEN_FIN_WAIT2_WORKLOADS))).containsExactly(
                    Map.entry("node-7|~open|||nginx", new OpenCounts(3, 1)));
            assertThat(entries(upgraded.keyValueStore(StoreNames.OPEN_FIN_WAIT2))).containsExactly(
                    Map.entry("node-7|100|nginx", new OpenCounts(3, 1)));
            assertThat(gauge(upgraded, "attached")).isEqualTo(3);
        } finally {
            upgraded.close();
        }
    }

    private static Map<String, OpenCounts> entries(KeyValueStore<String, OpenCounts> store) {
        Map<String, OpenCounts> out = new TreeMap<>();
        try (KeyValueIterator<String, OpenCounts> it = store.all()) {
            it.forEachRemaining(e -> out.put(e.key, e.value));
        }
        return out;
    }

    private static double gauge(DetectorHarness det, String state) {
        return det.metrics().registry().get("finwatch_streams_open_fin_wait2").tag("state", state).gauge().value();
    }
}
