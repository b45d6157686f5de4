package io.finwatch.collector.daemon;

import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.LossCause;
import io.finwatch.schemas.LostRange;
import io.finwatch.schemas.SeqRange;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What an independent consumer of both topics can prove about one collector: that no (collector_id, epoch, seq)
 * names two different events, and, run by run, that every number from the run's first is either there or
 * declared by a heartbeat as shed at the cap or lost from the buffer (with its cause).
 */
final class SeqAudit {
    /** One run of one collector. */
    record RunKey(String collectorId, long epoch) {
    }

    /** Where an identity was seen with different bytes. */
    record Clash(RunKey run, long seq) {
    }

    final Map<RunKey, TreeSet<Long>> seen = new TreeMap<>(SeqAudit::compare);
    final Map<RunKey, TreeSet<Long>> shed = new HashMap<>();
    final Map<RunKey, Map<Long, LossCause>> lost = new HashMap<>();
    final Map<RunKey, Long> firstSeq = new HashMap<>();
    final List<Clash> clashes = new ArrayList<>();
    final List<SpecificRecord> events = new ArrayList<>();

    private static int compare(RunKey a, RunKey b) {
        int c = a.collectorId().compareTo(b.collectorId());
        return c != 0 ? c : Long.compare(a.epoch(), b.epoch());
    }

    static SeqAudit of(List<ConsumerRecord<byte[], byte[]>> records) {
        SeqAudit audit = new SeqAudit();
        Map<RunKey, Map<Long, byte[]>> bytes = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            SpecificRecord e = FinwatchSerde.shared().decodeAny(r.value());
            audit.events.add(e);
            RunKey run;
            long seq;
            if (e instanceof SocketTransition t) {
                run = new RunKey(t.getCollectorId(), t.getEpoch());
                seq = t.getSeq();
            } else {
                CollectorHeartbeat h = (CollectorHeartbeat) e;
                run = new RunKey(h.getCollectorId(), h.getEpoch());
                seq = h.getSeq();
                audit.firstSeq.put(run, h.getEpochFirstSeq());
                for (SeqRange s : h.getShedRanges()) {
                    for (long n = s.getFirst(); n <= s.getLast(); n++) {
                        audit.shed.computeIfAbsent(run, k -> new TreeSet<>()).add(n);
                    }
                }
                if (h.getLostRanges() != null) {
                    for (LostRange l : h.getLostRanges()) {
                        RunKey of = new RunKey(h.getCollectorId(), l.getEpoch());
                        for (long n = l.getFirst(); n <= l.getLast(); n++) {
                            audit.lost.computeIfAbsent(of, k -> new HashMap<>()).put(n, l.getCause());
                        }
                    }
                }
            }
            audit.seen.computeIfAbsent(run, k -> new TreeSet<>()).add(seq);
            byte[] before = bytes.computeIfAbsent(run, k -> new HashMap<>()).putIfAbsent(seq, r.value());
            if (before != null && !Arrays.equals(before, r.value())) {
                audit.clashes.add(new Clash(run, seq));
            }
        }
        return audit;
    }

    /** Numbers of each run, from its first to the highest seen or declared, that are neither there nor declared. */
    Map<RunKey, TreeSet<Long>> undeclaredGaps() {
        Map<RunKey, TreeSet<Long>> out = new TreeMap<>(SeqAudit::compare);
        List<RunKey> runs = new ArrayList<>(seen.keySet());
        lost.keySet().stream().filter(k -> !seen.containsKey(k)).forEach(runs::add);
        for (RunKey run : runs) {
            TreeSet<Long> have = seen.getOrDefault(run, new TreeSet<>());
            Map<Long, LossCause> gone = lost.getOrDefault(run, Map.of());
            long first = firstSeq.getOrDefault(run, have.isEmpty() ? 0 : have.first());
            long last = Math.max(have.isEmpty() ? -1 : have.last(),
                    gone.keySet().stream().mapToLong(Long::longValue).max().orElse(-1));
            TreeSet<Long> gaps = new TreeSet<>();
            for (long n = first; n <= last; n++) {
                if (!have.contains(n) && !gone.containsKey(n) && !shed.getOrDefault(run, new TreeSet<>()).contains(n)) {
                    gaps.add(n);
                }
            }
            if (!gaps.isEmpty()) {
                out.put(run, gaps);
            }
        }
        return out;
    }

    /** Numbers declared lost, run by run. */
    long declaredLost() {
        return lost.values().stream().mapToLong(Map::size).sum();
    }

    /** (collector_id, seq) pairs carried by events of more than one run. */
    long seqsInSeveralRuns() {
        Map<String, Map<Long, Integer>> runsPerSeq = new HashMap<>();
        seen.forEach((run, seqs) -> seqs.forEach(s -> runsPerSeq.computeIfAbsent(run.collectorId(), k -> new HashMap<>())
                .merge(s, 1, Integer::sum)));
        return runsPerSeq.values().stream().flatMap(m -> m.values().stream()).filter(n -> n > 1).count();
    }

    @Override
    public String toString() {
        Map<RunKey, String> runs = new TreeMap<>(SeqAudit::compare);
        seen.forEach((k, v) -> runs.put(k, "seqs " + v.first() + ".." + v.last() + " (" + v.size() + "), first "
                + firstSeq.get(k) + ", lost " + lost.getOrDefault(k, Map.of()).size() + ", shed "
                + shed.getOrDefault(k, new TreeSet<>()).size()));
        return "runs " + runs + ", clashes " + clashes + ", undeclared gaps " + undeclaredGaps();
    }
}
