package io.finwatch.streams.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.schemas.TcpState;
import io.finwatch.streams.detect.OpenCounts;
import io.finwatch.streams.state.StoreKeys;
import io.finwatch.streams.state.StoreNames;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.CollectorRun.Socket;
import io.finwatch.streams.testkit.DetectorTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AggregatesTest extends DetectorTest {

    static final Proc NGINX = new Proc(100, "nginx", null);
    static final Proc ENVOY = new Proc(200, "envoy", "ctr-1");

    CollectorRun run;

    @BeforeEach
    void start() {
        run = new CollectorRun("node-5", "run-1", T0, 1000, 3600);
    }

    /** The value at percentile p of the exact inputs, ranked as HdrHistogram ranks them. */
    static long exactPercentile(List<Long> sorted, double p) {
        int rank = (int) Math.max(1, Math.ceil(p / 100.0 * sorted.size()));
        return sorted.get(rank - 1);
    }

    static void assertWithinPrecision(long actual, long expected) {
        // Two significant digits: a bucket is at most 1% of its value wide.
        assertThat((double) actual).isCloseTo(expected, org.assertj.core.data.Offset.offset(expected * 0.01 + 1));
    }

    @Test
    void dwellHistogramsMatchTheEpisodesPerHostAndProcess() {
        Random random = new Random(42);
        List<Long> all = new ArrayList<>();
        List<Long> nginx = new ArrayList<>();
        int port = 44000;
        for (int i = 0; i < 400; i++) {
            Proc p = i % 4 == 0 ? ENVOY : NGINX;
            long dwell = 50 + (long) (Math.abs(random.nextGaussian()) * 20_000);
            Socket s = run.socket(port++);
            Instant entered = T0.plusSeconds(i);
            det.send(run.at(entered).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, p));
            det.send(run.at(entered.plusMillis(dwell)).attached(s, TcpState.FIN_WAIT2, TcpState.TIME_WAIT, p));
            all.add(dwell);
            if (p == NGINX) {
                nginx.add(dwell);
            }
        }
        all.sort(null);
        nginx.sort(null);
        // Ended episodes are folded into the histograms by the next fold.
        assertThat(det.<String, byte[]>keyValueStore(StoreNames.DWELL_ALL_TIME).get("node-5")).isNull();
        det.advance(det.settings().foldEvery());

        KeyValueStore<String, byte[]> allTime = det.keyValueStore(StoreNames.DWELL_ALL_TIME);
        assertStats(DwellStats.of(allTime.get(StoreKeys.host("node-5"))), all);
        assertStats(DwellStats.of(allTime.get(StoreKeys.process("node-5", NGINX.pid(), NGINX.comm()))), nginx);

        List<String> processes = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = allTime.prefixScan(StoreKeys.hostPrefix("node-5"), new StringSerializer())) {
            it.forEachRemaining(kv -> processes.add(kv.key));
        }
        // Each process's workload outside Kubernetes is its program: one histogram per workload and host beside them.
        assertThat(processes).containsExactlyInAnyOrder("node-5|100|nginx", "node-5|200|envoy", "node-5|~dwell|||nginx",
                "node-5|~dwell|||envoy");
        assertStats(DwellStats.of(allTime.get(StoreKeys.workload("node-5", StoreKeys.WORKLOAD_DWELL, "", "", NGINX.comm()))), nginx);
    }

    static void assertStats(DwellStats stats, List<Long> sorted) {
        assertThat(stats.count()).isEqualTo(sorted.size());
        assertWithinPrecision(stats.p50(), exactPercentile(sorted, 50));
        assertWithinPrecision(stats.p90(), exactPercentile(sorted, 90));
        assertWithinPrecision(stats.p99(), exactPercentile(sorted, 99));
        assertWithinPrecision(stats.max(), sorted.get(sorted.size() - 1));
    }

    @Test
    void minuteAndHourWindowsCountEpisodesByWhenTheyEnded() {
        // Episodes ending in minute 0 (3), minute 1 (2) and minute 61 (1): the last falls in the second hour.
        long[] endSeconds = {10, 20, 59, 65, 119, 3665};
        int port = 45000;
        for (long end : endSeconds) {
            Socket s = run.socket(port++);
            det.send(run.at(T0.plusSeconds(end - 5)).attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
            det.send(run.at(T0.plusSeconds(end)).gone(s, TcpState.FIN_WAIT2));
        }
        det.advance(det.settings().foldEvery());
        WindowStore<String, byte[]> minutes = det.windowStore(StoreNames.DWELL_1M);
        WindowStore<String, byte[]> hours = det.windowStore(StoreNames.DWELL_1H);

        assertThat(windowCounts(minutes, T0, T0.plusSeconds(3700))).containsExactly(
                KeyValue.pair(T0.toEpochMilli(), 3L), KeyValue.pair(T0.plusSeconds(60).toEpochMilli(), 2L),
                KeyValue.pair(T0.plusSeconds(3660).toEpochMilli(), 1L));
        assertThat(windowCounts(hours, T0, T0.plusSeconds(7200))).containsExactly(
                KeyValue.pair(T0.toEpochMilli(), 5L), KeyValue.pair(T0.plusSeconds(3600).toEpochMilli(), 1L));
        assertWithinPrecision(DwellStats.of(minutes.fetch("node-5|100|nginx", T0.toEpochMilli())).max(), 5000);
    }

    static List<KeyValue<Long, Long>> windowCounts(WindowStore<String, byte[]> store, Instant from, Instant to) {
        List<KeyValue<Long, Long>> out = new ArrayList<>();
        try (WindowStoreIterator<byte[]> it = store.fetch("node-5", from, to)) {
            it.forEachRemaining(kv -> out.add(KeyValue.pair(kv.key, DwellStats.of(kv.value).count())));
        }
        return out;
    }

    @Test
    void openCountsFollowEpisodesPerHostAndProcessSplitByOrphaned() {
        Socket[] s = {run.socket(46000), run.socket(46001), run.socket(46002), run.socket(46003), run.socket(46004)};
        det.send(run.attached(s[0], TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
        det.send(run.attached(s[1], TcpState.ESTABLISHED, TcpState.FIN_WAIT2, NGINX));
        det.send(run.attached(s[2], TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY));
        det.send(run.orphan(s[3], TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, NGINX, 30_000));
        det.send(run.orphan(s[4], TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, null, 30_000));
        KeyValueStore<String, OpenCounts> open = det.keyValueStore(StoreNames.OPEN_FIN_WAIT2);
        KeyValueStore<String, OpenCounts> hosts = det.keyValueStore(StoreNames.OPEN_FIN_WAIT2_HOSTS);

        assertThat(hosts.get("node-5")).isEqualTo(new OpenCounts(3, 2));
        assertThat(open.get("node-5|100|nginx")).isEqualTo(new OpenCounts(2, 1));
        assertThat(open.get("node-5|200|envoy")).isEqualTo(new OpenCounts(1, 0));
        assertThat(open.get("node-5|-|")).as("an orphan nobody was seen holding").isEqualTo(new OpenCounts(0, 1));

        // nginx closes one of its sockets: attached -> orphaned; envoy's leaves FIN_WAIT2.
        det.send(run.orphan(s[0], TcpState.FIN_WAIT2, TcpState.FIN_WAIT2, NGINX, 60_000));
        det.send(run.gone(s[2], TcpState.FIN_WAIT2));

        assertThat(hosts.get("node-5")).isEqualTo(new OpenCounts(1, 3));
        assertThat(open.get("node-5|100|nginx")).isEqualTo(new OpenCounts(1, 2));
        assertThat(open.get("node-5|200|envoy")).as("empty entries are removed").isNull();
        assertThat(det.metrics().registry().get("finwatch_streams_open_fin_wait2").tag("state", "orphaned").gauge().value()).isEqualTo(3);
        assertThat(det.metrics().registry().get("finwatch_streams_open_fin_wait2").tag("state", "attached").gauge().value()).isEqualTo(1);

        // envoy, at zero, opens two more and closes one: its count starts again from zero, not from what it was.
        Socket[] more = {run.socket(46005), run.socket(46006)};
        det.send(run.attached(more[0], TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY));
        det.send(run.attached(more[1], TcpState.ESTABLISHED, TcpState.FIN_WAIT2, ENVOY));
        det.send(run.gone(more[0], TcpState.FIN_WAIT2));
        assertThat(open.get("node-5|200|envoy")).isEqualTo(new OpenCounts(1, 0));
        assertThat(hosts.get("node-5")).isEqualTo(new OpenCounts(2, 3));
    }
}
