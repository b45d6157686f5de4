package io.finwatch.collector.kernel;

import io.finwatch.common.log.RateLimitedLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which network namespaces a collector watches ({@code --netns}), and which one it takes as the host's
 * ({@code --host-netns}). By default every namespace with a process, and pid 1's as the host's.
 *
 * <p>A namespace is named by its inode (the number in {@code net:[N]}), by a path to it (a {@code /proc/<pid>/ns/net}
 * link, a bind mount), or by an {@code ip netns} name ({@code /run/netns/<name>}). Paths and names are resolved at
 * every scan, so a namespace made after the collector started is watched as soon as it exists; one that does not
 * exist gets one rate-limited line naming the option. A test or a benchmark uses this to watch only the namespaces
 * it made, each collector as its own "host" ({@code --host}), with the namespace that routes and NATs for it as its
 * host namespace.
 */
public final class NetnsSelection {
    private static final Logger log = LoggerFactory.getLogger(NetnsSelection.class);
    private static final NetnsSelection ALL = new NetnsSelection(List.of(), null);

    private final List<String> watched;
    private final String host;
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(1));

    private NetnsSelection(List<String> watched, String host) {
        this.watched = List.copyOf(watched);
        this.host = host;
    }

    /** Every namespace; pid 1's is the host's. */
    public static NetnsSelection all() {
        return ALL;
    }

    /**
     * @param watched the namespaces to watch (inode, path or ip-netns name); empty for all
     * @param host    the namespace taken as the host's (path or name); null for pid 1's
     * @throws IllegalArgumentException naming the option when a value is empty or the host is given as an inode
     */
    public static NetnsSelection of(List<String> watched, String host) {
        for (String w : watched) {
            if (w == null || w.isBlank()) {
                throw new IllegalArgumentException("--netns: an empty value (give an inode, a path or an ip-netns name)");
            }
        }
        if (host != null && (host.isBlank() || host.chars().allMatch(Character::isDigit))) {
            throw new IllegalArgumentException("--host-netns " + host + ": give a path or an ip-netns name (it is entered "
                    + "to look connections up, and an inode cannot be entered)");
        }
        return watched.isEmpty() && host == null ? ALL : new NetnsSelection(watched, host);
    }

    /** Whether only some namespaces are watched. */
    public boolean filters() {
        return !watched.isEmpty();
    }

    /** Where the host's namespace is entered; null for the default (pid 1's). */
    public Path hostLink() {
        return host == null ? null : path(host);
    }

    /** The inodes of the watched namespaces that exist now (only meaningful when {@link #filters}). */
    Set<Long> resolve() {
        Set<Long> inodes = new HashSet<>();
        for (String w : watched) {
            if (w.chars().allMatch(Character::isDigit)) {
                inodes.add(Long.parseLong(w));
                continue;
            }
            try {
                inodes.add(inode(path(w)));
            } catch (IOException e) {
                warnings.warn("--netns " + w, "--netns {}: {}; nothing of it is watched until it exists", w,
                        e.getMessage());
            }
        }
        return inodes;
    }

    /** The host namespace's inode; 0 when {@code --host-netns} names none, or one that does not exist (said once a minute). */
    long hostInode() {
        if (host == null) {
            return 0;
        }
        try {
            return inode(path(host));
        } catch (IOException e) {
            warnings.warn("--host-netns", "--host-netns {}: {}", host, e.getMessage());
            return 0;
        }
    }

    private static Path path(String value) {
        return value.contains("/") ? Path.of(value) : Path.of("/run/netns", value);
    }

    private static long inode(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + " does not exist");
        }
        Object ino = Files.getAttribute(path, "unix:ino");
        return ((Number) ino).longValue();
    }

    @Override
    public String toString() {
        return (watched.isEmpty() ? "all namespaces" : "namespaces " + watched)
                + (host == null ? "" : ", host namespace " + host);
    }
}
