package io.finwatch.collector.kernel;

import io.finwatch.collector.track.FinTimeout;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each network namespace's own {@code net.ipv4.tcp_fin_timeout}.
 *
 * <p>/proc/sys/net answers for the network namespace of the thread that opens the file, whichever
 * procfs mount or {@code <pid>/root} path it is opened through. So the sysctl is read on a
 * {@link NetnsThread} that enters the namespace through {@code <procfs>/<pid>/ns/net} (CAP_SYS_ADMIN).
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

    private final Procfs procfs;
    private final Clock clock;
    private final Duration refresh;
    private final NetnsThread reader = new NetnsThread("finwatch-netns-sysctl");
    private final Map<Long, Cached> cache = new HashMap<>();
    private final Set<Long> warned = new HashSet<>();

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
        List<Outcome> out = new ArrayList<>(due.size());
        for (Request r : due) {
            try {
                int seconds = reader.call(procfs.pid(r.pid(), "ns", "net"), r.netns(), () -> readSysctl(procfs));
                out.add(new Outcome(r.netns(), r.pid(), seconds, null));
            } catch (IOException e) {
                out.add(new Outcome(r.netns(), r.pid(), null, e.getMessage()));
            }
        }
        return out;
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
        return reader.threadNetns();
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
        reader.close();
    }
}
