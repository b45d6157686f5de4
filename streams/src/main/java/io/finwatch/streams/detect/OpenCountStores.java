package io.finwatch.streams.detect;

import io.finwatch.streams.state.StoreKeys;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The open counts of a task's episodes, each kind in a store of its own, so that a query reads only the kind it asks
 * for: FIN_WAIT2's by host, by process and by workload (open and stuck), CLOSE_WAIT's by host and process.
 *
 * <p>What this task last wrote is held in memory: every episode start and end moves three counts, and reading each
 * back through the store (record cache, then its Avro value) cost more than the write. Only this task writes its
 * keys, and a new instance is made at every processor init (after any restore or rollback), so the stores are the
 * truth it starts from. A count that drops to zero leaves both, and is remembered as zero.
 *
 * <p>Releases before 2026-12 kept the hosts' and the workloads' FIN_WAIT2 counts in the processes' store, and
 * {@code /api/hosts} scanned every process and workload to find the hosts. What a task finds of that layout is moved
 * before its first write, inside the transaction of the record or punctuation that writes, so a crash moves all of it
 * or none.
 */
final class OpenCountStores {

    /** How many keys taken to zero each store's counts remember: a few MB at most. */
    static final int EMPTIED_MAX = 65_536;

    final Counts finWait2Hosts;
    final Counts finWait2Processes;
    final Counts finWait2Workloads;
    final Counts closeWait;
    /** Host and workload entries of the earlier layout still in the processes' store; null once moved. */
    private List<KeyValue<String, OpenCounts>> earlier;

    OpenCountStores(KeyValueStore<String, OpenCounts> finWait2Hosts, KeyValueStore<String, OpenCounts> finWait2Processes,
                    KeyValueStore<String, OpenCounts> finWait2Workloads, KeyValueStore<String, OpenCounts> closeWait) {
        this.finWait2Hosts = new Counts(finWait2Hosts);
        this.finWait2Processes = new Counts(finWait2Processes);
        this.finWait2Workloads = new Counts(finWait2Workloads);
        this.closeWait = new Counts(closeWait);
        List<KeyValue<String, OpenCounts>> found = new ArrayList<>();
        try (KeyValueIterator<String, OpenCounts> it = finWait2Processes.all()) {
            while (it.hasNext()) {
                KeyValue<String, OpenCounts> e = it.next();
                if (StoreKeys.isHost(e.key) || StoreKeys.isWorkload(e.key)) {
                    found.add(e);
                }
            }
        }
        this.earlier = found.isEmpty() ? null : found;
    }

    /** Every host's FIN_WAIT2 counts in this task, those not yet moved from the earlier layout included. */
    void forEachHost(BiConsumer<String, OpenCounts> visit) {
        Map<String, OpenCounts> hosts = new HashMap<>();
        try (KeyValueIterator<String, OpenCounts> it = finWait2Hosts.store.all()) {
            it.forEachRemaining(e -> hosts.put(e.key, e.value));
        }
        if (earlier != null) {
            earlier.stream().filter(e -> StoreKeys.isHost(e.key)).forEach(e -> hosts.putIfAbsent(e.key, e.value));
        }
        hosts.forEach(visit);
    }

    private void moveEarlier() {
        List<KeyValue<String, OpenCounts>> move = earlier;
        earlier = null;
        for (KeyValue<String, OpenCounts> e : move) {
            // A count already in its own store was written after a move that did not commit its deletes (at-least-once): newer.
            KeyValueStore<String, OpenCounts> to = StoreKeys.isHost(e.key) ? finWait2Hosts.store : finWait2Workloads.store;
            if (to.get(e.key) == null) {
                to.put(e.key, e.value);
            }
            finWait2Processes.store.delete(e.key);
        }
    }

    /** One store of counts and what this task last wrote to it. */
    final class Counts {

        private final KeyValueStore<String, OpenCounts> store;
        private final Map<String, OpenCounts> held = new HashMap<>();
        /**
         * Keys this task took to zero (and out of the store): a process's count goes 0 → 1 → 0 all the time, and
         * asking the store about a deleted key goes through the record cache and every layer of the store (a fifth
         * of the detector's time in open counts when they were in RocksDB). Forgotten wholesale past
         * {@link #EMPTIED_MAX}, after which a key is read once again.
         */
        private final Set<String> emptied = new HashSet<>();

        private Counts(KeyValueStore<String, OpenCounts> store) {
            this.store = store;
        }

        void add(String key, boolean orphaned, long delta) {
            if (earlier != null) {
                moveEarlier();
            }
            OpenCounts cur = held.get(key);
            if (cur == null && !emptied.contains(key)) {
                cur = store.get(key);
            }
            OpenCounts next = (cur == null ? OpenCounts.NONE : cur).plus(orphaned, delta);
            if (next.isEmpty()) {
                store.delete(key);
                held.remove(key);
                if (emptied.size() >= EMPTIED_MAX) {
                    emptied.clear();
                }
                emptied.add(key);
            } else {
                store.put(key, next);
                if (held.put(key, next) == null) {
                    emptied.remove(key);
                }
            }
        }
    }
}
