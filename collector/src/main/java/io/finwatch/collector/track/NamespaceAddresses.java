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
 * Each watched namespace's interface addresses, as last read through an {@link AddressPort}, for the heartbeat:
 * the detector tells by them which host an address belongs to (a peer that is unmonitored, or gone).
 *
 * <p>A namespace is read when first seen, again at the next poll (a pod's address is often added by its network
 * plugin after its first process is visible), then every {@code refresh}. A namespace whose addresses cannot be
 * read has none reported (null), with one line per namespace saying why. Not thread-safe: one poll loop calls it.
 */
public final class NamespaceAddresses {
    public static final Duration DEFAULT_REFRESH = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(NamespaceAddresses.class);

    private final Duration refresh;
    private final Map<Long, Cached> cache = new HashMap<>();
    private final Set<Long> warned = new HashSet<>();

    private record Cached(List<String> addresses, Instant readAt, boolean settled) {
    }

    public NamespaceAddresses(Duration refresh) {
        this.refresh = refresh;
    }

    /** Namespace inode to its addresses (absent where they could not be read), reading those that are due. */
    public Map<Long, List<String>> refresh(NamespaceSet namespaces, Instant now, AddressPort port) {
        Map<Long, NetNamespace> live = namespaces.byInode();
        cache.keySet().retainAll(live.keySet());
        warned.retainAll(live.keySet());
        List<NetNamespace> due = new ArrayList<>();
        for (NetNamespace ns : live.values()) {
            Cached c = cache.get(ns.inode());
            if (c == null || !c.settled() || !now.isBefore(c.readAt().plus(refresh))) {
                due.add(ns);
            }
        }
        if (!due.isEmpty()) {
            for (AddressPort.Read r : port.read(due)) {
                if (r.failure() != null && warned.add(r.netns())) {
                    log.warn("netns {}: cannot read its interface addresses ({}); its heartbeat entry has none",
                            r.netns(), r.failure());
                } else if (r.failure() == null) {
                    warned.remove(r.netns());
                }
                cache.put(r.netns(), new Cached(r.addresses(), now, cache.containsKey(r.netns())));
            }
        }
        Map<Long, List<String>> out = new HashMap<>(cache.size() * 2);
        cache.forEach((netns, c) -> {
            if (c.addresses() != null) {
                out.put(netns, c.addresses());
            }
        });
        return Collections.unmodifiableMap(out);
    }
}
