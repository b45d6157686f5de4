package io.finwatch.streams.eos;

import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.TcpState;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.streams.eos.Episode.Shape;
import io.finwatch.streams.testkit.CollectorRun;
import io.finwatch.streams.testkit.CollectorRun.Proc;
import io.finwatch.streams.testkit.Fleet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The crash test's input, generated from a seed: for every live host a set of FIN_WAIT2 episodes of every
 * shape among many short-lived sockets that never reach FIN_WAIT2, cut into chunks; at-least-once
 * duplicates (single re-sends, and the tail of the previous chunk re-sent at the start of the next, as a
 * producer retrying after a crash would), garbage records, and one heartbeat of a collector that then
 * stopped.
 *
 * <p>Episode times are relative to the test's start {@code t} and chosen so that the outcome does not
 * depend on when the detector happens to run: a deadline is either long past when the exit is observed,
 * or hours away; sockets that never leave come due by {@code t + 25 s}.
 */
final class CrashScript {

    static final int FIN_TIMEOUT_S = 30;
    static final long INTERVAL_MS = 1000;
    /** The crash test's --close-wait-threshold. */
    static final int CLOSE_WAIT_THRESHOLD_S = 30;
    static final long PAIR_NETNS = 4026532999L;

    final List<Episode> episodes = new ArrayList<>();
    /** The ends of the connections between live hosts, paired through the pairing topic. */
    final List<PairedEnds> paired = new ArrayList<>();
    final List<List<ProducerRecord<byte[], byte[]>>> chunks = new ArrayList<>();
    final String quietHost;
    final Instant quietLastHeard;
    int garbage;

    private record Timed(Instant at, Supplier<SpecificRecord> event) {
    }

    CrashScript(Instant t, List<String> liveHosts, String quietHost, int fillerPerHost, int chunkCount, String transitions,
                String heartbeats, long seed) {
        Random random = new Random(seed);
        FinwatchSerde serde = FinwatchSerde.shared();
        // Per host, one collector for its servers' ends and one for its clients': the events of each are generated in
        // one host's list, so each collector's numbering stays in order on its partition (dedup drops anything below).
        java.util.Map<String, Fleet.Host> hostsOfPairs = new java.util.HashMap<>();
        for (String h : liveHosts) {
            hostsOfPairs.put(h + "/srv", new Fleet.Host(h, h + "-srv", PAIR_NETNS, List.of(), t.minusSeconds(3600)));
            hostsOfPairs.put(h + "/cli", new Fleet.Host(h, h + "-cli", PAIR_NETNS, List.of(), t.minusSeconds(3600)));
        }
        List<List<SpecificRecord>> perHost = new ArrayList<>();
        for (String host : liveHosts) {
            CollectorRun run = new CollectorRun(host, host + "-run1", t, INTERVAL_MS, FIN_TIMEOUT_S);
            List<Timed> timed = new ArrayList<>();
            int port = 20000;
            port = add(timed, run, port, Shape.ATTACHED_STUCK, t.minusSeconds(60), null, null, random);
            port = add(timed, run, port, Shape.ATTACHED_STUCK, t.minusSeconds(20), null, null, random);
            port = add(timed, run, port, Shape.ATTACHED_STUCK, t.minusSeconds(5), null, null, random);
            port = add(timed, run, port, Shape.ATTACHED_LATE_EXIT, t.minusSeconds(200), null, t.minusSeconds(100), random);
            port = add(timed, run, port, Shape.ATTACHED_LATE_EXIT, t.minusSeconds(150), null, t.minusSeconds(40), random);
            port = add(timed, run, port, Shape.ATTACHED_ON_TIME, t.minusSeconds(10), null, t.minusSeconds(5), random);
            port = add(timed, run, port, Shape.ORPHAN_STUCK, t.minusSeconds(60), Duration.ofSeconds(10), null, random);
            port = add(timed, run, port, Shape.ORPHAN_LATE_GONE, t.minusSeconds(200), Duration.ofSeconds(10), t.minusSeconds(100), random);
            port = add(timed, run, port, Shape.ORPHAN_ON_TIME, t.minusSeconds(10), Duration.ofHours(1), t.minusSeconds(5), random);
            for (int i = 0; i < fillerPerHost; i++) {
                if (i == fillerPerHost / 2) {
                    // Halfway through the host's filler, so their events are spread over the chunks and the kills.
                    timed.addAll(pairsOf(host, liveHosts, t, hostsOfPairs, random));
                }
                CollectorRun.Socket s = run.socket(port++);
                Instant open = t.minusMillis(300_000 + random.nextInt(290_000));
                Proc p = new Proc(100 + random.nextInt(50), "svc", null);
                timed.add(new Timed(open, () -> run.at(open).attached(s, null, TcpState.ESTABLISHED, p)));
                Instant close = open.plusMillis(1 + random.nextInt(5_000));
                timed.add(new Timed(close, () -> run.at(close).gone(s, TcpState.ESTABLISHED)));
            }
            // The collector's order: by observation time, sequence numbers handed out in that order.
            timed.sort(Comparator.comparing(Timed::at));
            List<SpecificRecord> events = new ArrayList<>();
            for (Timed e : timed) {
                events.add(e.event().get());
            }
            perHost.add(events);
        }
        this.quietHost = quietHost;
        this.quietLastHeard = t.minus(Duration.ofHours(1));

        List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>();
        all.add(record(heartbeats, quietHost, serde.encode(new CollectorRun(quietHost, quietHost + "-run1", quietLastHeard, INTERVAL_MS,
                FIN_TIMEOUT_S).heartbeat())));
        for (int i = 0; ; i++) {
            boolean any = false;
            for (List<SpecificRecord> events : perHost) {
                if (i < events.size()) {
                    any = true;
                    SocketTransition st = (SocketTransition) events.get(i);
                    ProducerRecord<byte[], byte[]> r = record(transitions, st.getHost(), serde.encode(st));
                    all.add(r);
                    if (random.nextInt(40) == 0) {
                        all.add(r);
                    }
                }
            }
            if (!any) {
                break;
            }
        }
        int size = (all.size() + chunkCount - 1) / chunkCount;
        for (int c = 0; c < chunkCount; c++) {
            int from = c * size;
            int to = Math.min(all.size(), from + size);
            List<ProducerRecord<byte[], byte[]>> chunk = new ArrayList<>();
            if (c > 0) {
                chunk.addAll(all.subList(Math.max(0, from - 300), from));
            }
            chunk.addAll(all.subList(from, to));
            for (int g = 0; g < 5; g++) {
                String host = liveHosts.get(random.nextInt(liveHosts.size()));
                chunk.add(random.nextInt(chunk.size()), record(transitions, host, ("not an event " + c + "/" + g).getBytes(StandardCharsets.UTF_8)));
                garbage++;
            }
            chunks.add(chunk);
        }
    }

    /**
     * Connections from {@code host} (the server, FIN_WAIT2) to the next live host (the client): one whose client never
     * closes (PEER_NEVER_CLOSED and LOCAL_NEVER_CLOSED), one whose client's FIN was lost (FIN_LOST). Their events carry
     * the Fleet collector's own id and numbering, so they interleave with the CollectorRun's freely.
     */
    private List<Timed> pairsOf(String host, List<String> liveHosts, Instant t, java.util.Map<String, Fleet.Host> hosts, Random random) {
        int i = liveHosts.indexOf(host);
        String peerHost = liveHosts.get((i + 1) % liveHosts.size());
        String serverIp = "10.9." + i + ".1";
        String clientIp = "10.9." + ((i + 1) % liveHosts.size()) + ".2";
        Fleet.Host server = hosts.get(host + "/srv");
        Fleet.Host client = hosts.get(peerHost + "/cli");
        List<Timed> out = new ArrayList<>();
        int serverPid = 2000 + i;
        int clientPid = 3000 + i;
        // Never closed: both ends stuck.
        int cport = 50000 + i;
        Fleet.End s1 = server.end(serverIp, 9000, clientIp, cport, serverPid, "srv" + i);
        Fleet.End c1 = client.end(clientIp, cport, serverIp, 9000, clientPid, "cli" + i);
        Instant e1 = t.minusSeconds(40 + random.nextInt(20));
        out.add(new Timed(e1, () -> s1.to(io.finwatch.schemas.TcpState.FIN_WAIT2, e1)));
        Instant e1c = e1.plusMillis(20);
        out.add(new Timed(e1c, () -> c1.to(io.finwatch.schemas.TcpState.CLOSE_WAIT, e1c, 1L)));
        paired.add(new PairedEnds(host, serverIp, 9000, clientIp, cport, false, e1, e1.plusSeconds(Fleet.FIN_TIMEOUT_S), serverPid,
                io.finwatch.schemas.Verdict.PEER_NEVER_CLOSED, clientPid));
        paired.add(new PairedEnds(peerHost, clientIp, cport, serverIp, 9000, true, e1c, e1c.plusSeconds(CLOSE_WAIT_THRESHOLD_S), clientPid,
                io.finwatch.schemas.Verdict.LOCAL_NEVER_CLOSED, serverPid));
        // FIN lost: the client closed (LAST_ACK), its FIN never arrived, its socket gave up.
        int lport = 51000 + i;
        Fleet.End s2 = server.end(serverIp, 9001, clientIp, lport, serverPid, "srv" + i);
        Fleet.End c2 = client.end(clientIp, lport, serverIp, 9001, clientPid, "cli" + i);
        Instant e2 = t.minusSeconds(100 + random.nextInt(20));
        out.add(new Timed(e2, () -> s2.to(io.finwatch.schemas.TcpState.FIN_WAIT2, e2)));
        // The client closed within a poll of the server's FIN: its collector saw it straight in LAST_ACK. (A CLOSE_WAIT
        // report 5 s before it, dated 100 s back while the host's heartbeats are current, would be judged against this
        // detector's wall clock: STUCK at the next punctuation whenever a chunk boundary or a slow batch fell between
        // the two reports, which no collector reporting in time order could cause.)
        Instant la = e2.plusMillis(30);
        out.add(new Timed(la, () -> c2.to(io.finwatch.schemas.TcpState.LAST_ACK, la, 1L)));
        Instant gone = e2.plusSeconds(12);
        out.add(new Timed(gone, () -> c2.to(io.finwatch.schemas.TcpState.GONE, gone)));
        paired.add(new PairedEnds(host, serverIp, 9001, clientIp, lport, false, e2, e2.plusSeconds(Fleet.FIN_TIMEOUT_S), serverPid,
                io.finwatch.schemas.Verdict.FIN_LOST, clientPid));
        return out;
    }

    private int add(List<Timed> timed, CollectorRun run, int port, Shape shape, Instant entered, Duration reapAfter, Instant exit,
                    Random random) {
        CollectorRun.Socket s = run.socket(port);
        Proc p = new Proc(1000 + random.nextInt(9000), null, null);
        Proc named = new Proc(p.pid(), "proc" + p.pid(), null);
        boolean orphan = reapAfter != null;
        int finTimeout = shape == Shape.ATTACHED_ON_TIME ? 3600 : FIN_TIMEOUT_S;
        timed.add(new Timed(entered, () -> {
            run.at(entered).finTimeout(finTimeout);
            return orphan ? run.orphan(s, TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, named, reapAfter.toMillis())
                    : run.attached(s, TcpState.ESTABLISHED, TcpState.FIN_WAIT2, named);
        }));
        if (exit != null) {
            timed.add(new Timed(exit, () -> run.at(exit).gone(s, TcpState.FIN_WAIT2)));
        }
        episodes.add(new Episode(run.host(), port, shape, entered, finTimeout, orphan ? entered.plus(reapAfter) : null, exit, named.pid()));
        return port + 1;
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String host, byte[] value) {
        return new ProducerRecord<>(topic, host.getBytes(StandardCharsets.UTF_8), value);
    }

    int size() {
        return chunks.stream().mapToInt(List::size).sum();
    }
}
