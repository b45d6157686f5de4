package io.finwatch.collector.track;

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
 * Each network namespace's own {@code net.ipv4.tcp_fin_timeout}, as last read through a {@link FinTimeoutPort}.
 *
 * <p>Values are kept per namespace and read again after {@code refresh}; a namespace not seen before is read at
 * once, one that has gone is forgotten. {@link #refresh} is meant to be called every poll: between refreshes it
 * reads nothing. Where a namespace could not be entered, its value is the collector's own namespace's, marked
 * {@link FinTimeout.Source#HOST_FALLBACK}, and the reason is logged once per namespace; a pod's namespace then takes
 * the value its pod's spec sets, if it does ({@link PodFinTimeouts}, applied by {@link HostState}).
 *
 * <p>Not thread-safe: one poll loop calls it.
 */
public final class FinTimeouts {
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(60);
    private static final String SYSCTL = "net.ipv4.tcp_fin_timeout";
    private static final Logger log = LoggerFactory.getLogger(FinTimeouts.class);

    private final Duration refresh;
    private final Map<Long, Cached> cache = new HashMap<>();
    private final Set<Long> warned = new HashSet<>();

    /** {@code settled}: read at least twice, so not taken while the namespace was being set up. */
    private record Cached(FinTimeout value, Instant readAt, boolean settled) {
    }

    public FinTimeouts(Duration refresh) {
        if (refresh.isNegative()) {
            throw new IllegalArgumentException("refresh must not be negative: " + refresh);
        }
        this.refresh = refresh;
    }

    /**
     * The fin timeout of every namespace in {@code namespaces}, reading through {@code port} those not read
     * within {@code refresh} of {@code now}. A namespace is missing from the result only when not even the
     * fallback could be read.
     */
    public Map<Long, FinTimeout> refresh(NamespaceSet namespaces, Instant now, FinTimeoutPort port) {
        Map<Long, NetNamespace> live = namespaces.byInode();
        cache.keySet().retainAll(live.keySet());
        warned.retainAll(live.keySet());

        List<NetNamespace> due = new ArrayList<>();
        for (NetNamespace ns : live.values()) {
            Cached c = cache.get(ns.inode());
            // A namespace is read again at the poll after its first read: a new one is often still being set up,
            // its sysctls written by the very process (ip netns exec sysctl ...) that made it visible to the scan.
            if (c == null || !c.settled() || !now.isBefore(c.readAt().plus(refresh))) {
                due.add(ns);
            }
        }
        if (!due.isEmpty()) {
            for (FinTimeoutRead r : port.read(due)) {
                store(r, now);
            }
        }

        Map<Long, FinTimeout> result = new HashMap<>(cache.size() * 2);
        for (Map.Entry<Long, Cached> e : cache.entrySet()) {
            if (e.getValue().value() != null) {
                result.put(e.getKey(), e.getValue().value());
            }
        }
        return Collections.unmodifiableMap(result);
    }

    /** Namespaces with a value (or a failure) kept. */
    public int cachedNamespaces() {
        return cache.size();
    }

    private void store(FinTimeoutRead r, Instant now) {
        if (r.failure() == null) {
            warned.remove(r.netns());
        } else if (warned.add(r.netns())) {
            if (r.value() != null) {
                log.warn("netns {}: cannot read its own {} through pid {} ({}); using the collector's "
                        + "namespace value {}s", r.netns(), SYSCTL, r.pid(), r.failure(), r.value().seconds());
            } else {
                log.warn("netns {}: cannot read its own {} through pid {} ({}), nor the collector's ({})",
                        r.netns(), SYSCTL, r.pid(), r.failure(), r.fallbackFailure());
            }
        }
        // A failure is kept too: until the next refresh, retrying would fail the same way.
        cache.put(r.netns(), new Cached(r.value(), now, cache.containsKey(r.netns())));
    }
}
