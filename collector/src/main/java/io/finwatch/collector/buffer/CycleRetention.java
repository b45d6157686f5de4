package io.finwatch.collector.buffer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes cycle files whose every event Kafka has acknowledged.
 *
 * <p>A cycle {@code c} is deletable when the acknowledged position lies in a later cycle (so every excerpt of
 * {@code c} is acknowledged) and {@code c} is not the newest cycle (the appender may still be writing it). The
 * cycle holding the acknowledged position is kept even when fully acknowledged: at most one file of slack.
 *
 * <p>Chronicle tells us through {@link StoreFileListener} which cycle files this process has mapped. A file still
 * mapped here (a tailer has not moved off it yet; Chronicle releases stores asynchronously) is not unlinked by the
 * sweep; when Chronicle reports it released and it is below the acknowledged cycle, the callback unlinks it. The
 * callback touches only the file system: calling back into the queue from Chronicle's releaser thread could
 * deadlock on the queue's own locks, so the directory listing is refreshed later, from a caller's thread.
 */
final class CycleRetention implements StoreFileListener {
    private static final Logger LOG = LoggerFactory.getLogger(CycleRetention.class);

    private final Map<Integer, File> files = new ConcurrentHashMap<>();
    private final Set<Integer> mapped = ConcurrentHashMap.newKeySet();
    private SingleChronicleQueue queue;
    /** Cycles below this are deletable: set by the last sweep to min(acknowledged cycle, newest cycle). */
    private volatile int deletableBelow = Integer.MIN_VALUE;
    private volatile boolean listingStale;

    void attach(SingleChronicleQueue q) {
        this.queue = q;
    }

    @Override
    public void onAcquired(int cycle, File file) {
        files.put(cycle, file);
        mapped.add(cycle);
    }

    @Override
    public void onReleased(int cycle, File file) {
        mapped.remove(cycle);
        if (cycle < deletableBelow && delete(file)) {
            files.remove(cycle);
            listingStale = true;
        } else {
            files.put(cycle, file);
        }
    }

    /** Brings Chronicle's first/last cycle up to date after files were deleted from the release callback. */
    void refreshIfStale() {
        if (listingStale) {
            queue.refreshDirectoryListing();
            listingStale = false;
        }
    }

    /**
     * The cycles on disk from the first to the newest. Chronicle lists only between two cycles whose files both
     * exist, and its first and newest cycle come from a cached listing: a file deleted behind its back (by an
     * operator, or by the release callback before the refresh) fails the call once, and a fresh listing fixes it.
     */
    NavigableSet<Long> cyclesOnDisk() {
        for (int attempt = 0; ; attempt++) {
            int first = queue.firstCycle();
            int newest = queue.lastCycle();
            if (first == Integer.MAX_VALUE || newest == Integer.MIN_VALUE) {
                return new TreeSet<>();
            }
            try {
                return queue.listCyclesBetween(first, newest);
            } catch (IllegalStateException e) {
                if (attempt > 0) {
                    throw e;
                }
                queue.refreshDirectoryListing();
            }
        }
    }

    /** Deletes the fully acknowledged cycles before {@code ackCycle}; returns how many files were removed. */
    int sweep(int ackCycle) {
        refreshIfStale();
        int newest = queue.lastCycle();
        deletableBelow = Math.min(ackCycle, newest);
        int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= ackCycle) {
            return 0;
        }
        // Not listCyclesBetween(first, ackCycle - 1): cycles are not contiguous (no file is written for a cycle in
        // which the collector was stopped), and Chronicle refuses a bound that has no file.
        NavigableSet<Long> cycles = cyclesOnDisk().headSet((long) Math.min(ackCycle, newest), false);
        Set<Integer> deleted = new HashSet<>();
        for (long c : cycles) {
            int cycle = (int) c;
            if (cycle >= ackCycle || cycle >= newest || mapped.contains(cycle)) {
                continue;
            }
            File file = fileFor(cycle);
            if (file != null && delete(file)) {
                deleted.add(cycle);
            }
        }
        if (!deleted.isEmpty()) {
            deleted.forEach(files::remove);
            // Chronicle caches first/last cycle from its directory listing; without a refresh, firstCycle() and
            // new tailers would still point at the deleted files.
            queue.refreshDirectoryListing();
        }
        return deleted.size();
    }

    private static boolean delete(File file) {
        try {
            Files.deleteIfExists(file.toPath());
            LOG.debug("deleted acknowledged cycle file {}", file);
            return true;
        } catch (IOException e) {
            LOG.warn("could not delete acknowledged cycle file {}: {}", file, e.toString());
            return false;
        }
    }

    /**
     * Files of cycles this process never mapped (left over from before a restart) are found by asking Chronicle
     * for the cycle's store: that is the only public mapping from cycle number to file name.
     */
    File fileFor(int cycle) {
        File known = files.get(cycle);
        if (known != null) {
            return known;
        }
        SingleChronicleQueueStore store;
        try {
            store = queue.storeForCycle(cycle, queue.epoch(), false, null);
        } catch (RuntimeException e) {
            // Deleted meanwhile by the release callback.
            return null;
        }
        if (store == null) {
            return null;
        }
        try {
            return store.file();
        } finally {
            queue.closeStore(store);
        }
    }
}
