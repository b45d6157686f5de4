package io.finwatch.collector.procfs;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each network namespace's own {@code net.ipv4.tcp_fin_timeout}.
 *
 * <p>/proc/sys/net answers for the network namespace of the thread that opens the file, whichever
 * procfs mount or {@code <pid>/root} path it is opened through. So a dedicated daemon thread enters a
 * namespace with setns(2) on {@code <procfs>/<pid>/ns/net}, reads the sysctl, and goes back to its own
 * namespace through an fd it opened on {@code /proc/thread-self/ns/net} when it started. Only that
 * thread ever changes namespace; entering needs CAP_SYS_ADMIN.
 *
 * <p>Where a namespace cannot be entered, its value is the collector's own namespace's, marked
 * {@link FinTimeout.Source#HOST_FALLBACK}, and the reason is logged once per namespace.
 *
 * <p>Values are cached per namespace and read again after {@code refresh}; a namespace not seen before
 * is read at once, one that has gone is forgotten. {@link #timeouts} is meant to be called every poll:
 * between refreshes it touches no file. Not thread-safe: one poll loop calls it.
 */
public final class FinTimeoutReader implements AutoCloseable {
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);
    static final String SYSCTL = "net.ipv4.tcp_fin_timeout";

    private static final Logger log = LoggerFactory.getLogger(FinTimeoutReader.class);
    /** Reading a sysctl takes microseconds; this only bounds a poll if the reader thread wedges. */
    private static final long READ_TIMEOUT_SECONDS = 10;

    private final Procfs procfs;
    private final Clock clock;
    private final Duration refresh;
    private final ExecutorService reader;
    private final Map<Long, Cached> cache = new HashMap<>();
    private final Set<Long> warned = new HashSet<>();

    /** Why namespaces cannot be entered at all any more; null while they can. Written by the reader thread. */
    private volatile String disabled;
    /** The reader thread's own namespace; touched only on the reader thread. */
    private Home home;
    private LibC libc;

    private record Home(int fd, long netns) {
    }

    private record Cached(FinTimeout value, Instant readAt) {
    }

    private record Request(long netns, int pid) {
    }

    /** The namespace's own value, or why it could not be read there. */
    private record Outcome(long netns, int pid, Integer seconds, String failure) {
    }

    public FinTimeoutReader(Procfs procfs) {
        this(procfs, Clock.systemUTC(), DEFAULT_REFRESH);
    }

    public FinTimeoutReader(Procfs procfs, Clock clock, Duration refresh) {
        if (refresh.isNegative()) {
            throw new IllegalArgumentException("refresh must not be negative: " + refresh);
        }
        this.procfs = procfs;
        this.clock = clock;
        this.refresh = refresh;
        this.reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "finwatch-netns-sysctl");
            t.setDaemon(true);
            return t;
        });
        reader.execute(this::openHome);
    }

    /**
     * The fin timeout of every namespace in {@code namespaces}, read through its representative pid.
     * A namespace is missing from the result only when not even the fallback could be read.
     */
    public Map<Long, FinTimeout> timeouts(NamespaceSet namespaces) {
        Map<Long, NetNamespace> live = namespaces.byInode();
        cache.keySet().retainAll(live.keySet());
        warned.retainAll(live.keySet());

        Instant now = clock.instant();
        List<Request> due = new ArrayList<>();
        for (NetNamespace ns : live.values()) {
            Cached c = cache.get(ns.inode());
            if (c == null || !now.isBefore(c.readAt().plus(refresh))) {
                due.add(new Request(ns.inode(), ns.representativePid()));
            }
        }
        if (!due.isEmpty()) {
            store(readOnReader(due), now);
        }

        Map<Long, FinTimeout> result = new HashMap<>(cache.size() * 2);
        for (Map.Entry<Long, Cached> e : cache.entrySet()) {
            if (e.getValue().value() != null) {
                result.put(e.getKey(), e.getValue().value());
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private void store(List<Outcome> outcomes, Instant now) {
        Integer host = null;
        String hostFailure = null;
        for (Outcome o : outcomes) {
            FinTimeout value;
            if (o.failure() == null) {
                value = new FinTimeout(o.seconds(), FinTimeout.Source.NAMESPACE);
                warned.remove(o.netns());
            } else {
                if (host == null && hostFailure == null) {
                    // On this thread, which never leaves the collector's namespace.
                    try {
                        host = readSysctl(procfs);
                    } catch (IOException e) {
                        hostFailure = e.getMessage();
                    }
                }
                value = host == null ? null : new FinTimeout(host, FinTimeout.Source.HOST_FALLBACK);
                if (warned.add(o.netns())) {
                    if (value != null) {
                        log.warn("netns {}: cannot read its own {} through pid {} ({}); using the collector's "
                                + "namespace value {}s", o.netns(), SYSCTL, o.pid(), o.failure(), host);
                    } else {
                        log.warn("netns {}: cannot read its own {} through pid {} ({}), nor the collector's ({})",
                                o.netns(), SYSCTL, o.pid(), o.failure(), hostFailure);
                    }
                }
            }
            // A failure is cached too: until the next refresh, retrying would fail the same way.
            cache.put(o.netns(), new Cached(value, now));
        }
    }

    private List<Outcome> readOnReader(List<Request> due) {
        String reason;
        try {
            return reader.submit(() -> readAll(due)).get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            reason = "reader closed";
        } catch (TimeoutException e) {
            reason = "reader thread did not answer in " + READ_TIMEOUT_SECONDS + "s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
        } catch (ExecutionException e) {
            reason = e.getCause().toString();
        }
        List<Outcome> failed = new ArrayList<>(due.size());
        for (Request r : due) {
            failed.add(new Outcome(r.netns(), r.pid(), null, reason));
        }
        return failed;
    }

    // ---- on the reader thread ----

    private void openHome() {
        Path own = Procfs.system().path("thread-self/ns/net");
        try {
            libc = LibC.load();
            long netns = NetnsScanner.readNetns(own);
            int fd = libc.open(own.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            home = new Home(fd, netns);
        } catch (UnsatisfiedLinkError | LastErrorException | IOException e) {
            disabled = "cannot hold on to " + own + ": " + e;
        }
    }

    private List<Outcome> readAll(List<Request> requests) {
        List<Outcome> out = new ArrayList<>(requests.size());
        for (Request r : requests) {
            out.add(readOne(r));
        }
        return out;
    }

    private Outcome readOne(Request r) {
        if (home == null) {
            return new Outcome(r.netns(), r.pid(), null, disabled);
        }
        if (r.netns() == home.netns()) {
            return readHere(r);
        }
        String path = procfs.pid(r.pid(), "ns", "net").toString();
        int fd;
        try {
            fd = libc.open(path, LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            return new Outcome(r.netns(), r.pid(), null, "open " + path + ": " + e.getMessage());
        }
        try {
            try {
                libc.setns(fd, LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                return new Outcome(r.netns(), r.pid(), null, "setns " + path + ": " + e.getMessage());
            }
            try {
                // The pid may have exited and been reused by a process elsewhere since the scan.
                long entered = currentNetns();
                if (entered != r.netns()) {
                    return new Outcome(r.netns(), r.pid(), null, "pid " + r.pid() + " is now in netns " + entered);
                }
                return readHere(r);
            } finally {
                goHome();
            }
        } catch (IOException e) {
            return new Outcome(r.netns(), r.pid(), null, e.getMessage());
        } finally {
            closeQuietly(fd);
        }
    }

    private void closeQuietly(int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            log.debug("close({})", fd, e);
        }
    }

    private Outcome readHere(Request r) {
        try {
            return new Outcome(r.netns(), r.pid(), readSysctl(procfs), null);
        } catch (IOException e) {
            return new Outcome(r.netns(), r.pid(), null, e.getMessage());
        }
    }

    private void goHome() {
        try {
            libc.setns(home.fd(), LibC.CLONE_NEWNET);
            if (currentNetns() == home.netns()) {
                return;
            }
        } catch (LastErrorException | IOException e) {
            log.debug("cannot return to netns {}", home.netns(), e);
        }
        // Stranded in a foreign namespace: no further read on this thread can be trusted.
        disabled = "the reader thread could not return to netns " + home.netns();
        log.error("{}; every namespace now gets the fallback value", disabled);
        home = null;
    }

    private static long currentNetns() throws IOException {
        return NetnsScanner.readNetns(Procfs.system().path("thread-self/ns/net"));
    }

    /** Reads the sysctl in the calling thread's namespace. */
    static int readSysctl(Procfs procfs) throws IOException {
        Path file = procfs.sysctl(SYSCTL);
        String text = Procfs.readSmall(file);
        if (text == null) {
            throw new IOException(file + ": no such file");
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": expected a number of seconds, found '" + text.strip() + "'");
        }
    }

    /** The namespace the reader thread is in now (for tests: it must always be back home between reads). */
    long readerThreadNetns() throws Exception {
        return reader.submit(FinTimeoutReader::currentNetns).get(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    boolean isTerminated() {
        return reader.isTerminated();
    }

    int cachedNamespaces() {
        return cache.size();
    }

    /** Stops the reader thread; later calls get fallback values. */
    @Override
    public void close() {
        try {
            reader.execute(() -> {
                if (home != null) {
                    closeQuietly(home.fd());
                    home = null;
                }
                disabled = "reader closed";
            });
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        reader.shutdown();
        try {
            if (!reader.awaitTermination(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("netns sysctl reader thread did not stop in {}s", READ_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
