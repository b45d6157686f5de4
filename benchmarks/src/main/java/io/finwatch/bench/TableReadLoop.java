package io.finwatch.bench;

import io.finwatch.collector.kernel.Procfs;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The anchor of the collector's CPU: {@code cat /proc/<pid>/net/tcp /proc/<pid>/net/tcp6} once per period, done
 * in-process and timed in the reading thread's own CPU time (user + system, so the kernel's formatting of the
 * table counts, as it does for the collector). Any poller has to pay at least this.
 */
final class TableReadLoop implements AutoCloseable {
    /** The size the collector reads /proc in (TableReader.CHUNK): fewer read(2) calls, each re-walking the hash. */
    private static final int CHUNK = 256 * 1024;

    private final List<Path> tables;
    private final Duration period;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "anchor-read");
        t.setDaemon(true);
        return t;
    });
    private final byte[] buf = new byte[CHUNK];
    private final AtomicLong cpuNanos = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicReference<IOException> failure = new AtomicReference<>();

    TableReadLoop(Procfs procfs, int pid, Duration period) {
        if (!threads.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalStateException("this JVM cannot measure thread CPU time, which the anchor needs");
        }
        this.tables = List.of(procfs.pid(pid, "net", "tcp"), procfs.pid(pid, "net", "tcp6"));
        this.period = period;
    }

    /** Data lines in the tables now (header lines not counted): how many sockets the anchor reads each time. */
    static long rows(Procfs procfs, int pid) throws IOException {
        long rows = 0;
        for (String name : List.of("tcp", "tcp6")) {
            String text = Procfs.readSmall(procfs.pid(pid, "net", name));
            if (text == null) {
                throw new IOException("process " + pid + " exited");
            }
            rows += Math.max(0, text.lines().count() - 1);
        }
        return rows;
    }

    void start() {
        thread.scheduleAtFixedRate(this::readOnce, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** CPU time spent reading so far. */
    long cpuNanos() {
        IOException e = failure.get();
        if (e != null) {
            throw new UncheckedIOException("the anchor's table read failed, so it no longer measures anything", e);
        }
        return cpuNanos.get();
    }

    long reads() {
        return reads.get();
    }

    private void readOnce() {
        long before = threads.getCurrentThreadCpuTime();
        try {
            for (Path table : tables) {
                try (InputStream in = Files.newInputStream(table)) {
                    while (in.read(buf) > 0) {
                        // discarded, as cat > /dev/null would
                    }
                }
            }
        } catch (IOException e) {
            failure.compareAndSet(null, e);
            throw new UncheckedIOException(e); // ends the schedule
        }
        cpuNanos.addAndGet(threads.getCurrentThreadCpuTime() - before);
        reads.incrementAndGet();
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
