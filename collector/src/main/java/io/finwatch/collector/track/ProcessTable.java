package io.finwatch.collector.track;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a pid is: name, user and container, read through a {@link ProcessPort} and cached per process.
 *
 * <p>The cache key is (pid, start time), so a pid reused by a new process never inherits the old one's
 * name: every lookup reads {@code <pid>/stat} (one small read) to learn the start time, and only a
 * process not seen before costs the further reads of status and cgroup.
 *
 * <p>A cached process whose comm changed has exec'd (or renamed itself) and is read again, which catches the
 * common fork-then-exec: seen first as the parent's name, then as the new program. A uid changed by a setuid
 * exec or setuid(2) while the comm stays is not noticed until the pid is reused.
 *
 * <p>Not thread-safe: one poll loop owns a table.
 */
public final class ProcessTable {
    private static final Logger log = LoggerFactory.getLogger(ProcessTable.class);

    private final ProcessPort port;
    private final Map<Integer, ProcessInfo> byPid = new HashMap<>();
    private long loads;
    private long malformed;
    private long failed;

    public ProcessTable(ProcessPort port) {
        this.port = port;
    }

    /**
     * The process now running as {@code pid}.
     *
     * @return its info, or null when it has exited, or its files could not be read or made no sense
     *         (counted in {@link #malformed()} / {@link #failed()})
     */
    public ProcessInfo get(int pid) {
        try {
            ProcessStat stat = port.stat(pid);
            ProcessInfo cached = byPid.get(pid);
            if (stat != null && cached != null && cached.startTimeTicks() == stat.startTime()
                    && cached.comm().equals(stat.comm())) {
                return cached;
            }
            ProcessInfo info = stat == null ? null : port.describe(pid, stat);
            // Reused while we read its files: what we read may be a mix of two processes.
            ProcessStat again = info == null ? null : port.stat(pid);
            if (again == null || again.startTime() != stat.startTime()) {
                byPid.remove(pid);
                return null;
            }
            byPid.put(pid, info);
            loads++;
            return info;
        } catch (ProcessPort.MalformedFile e) {
            malformed++;
            log.warn("{}", e.getMessage());
            return null;
        } catch (IOException e) {
            failed++;
            log.debug("cannot read process {}: {}", pid, e.toString());
            return null;
        }
    }

    /** Forgets every process not in {@code livePids} (e.g. {@link NamespaceSet#allPids()}). */
    public void retain(Set<Integer> livePids) {
        byPid.keySet().retainAll(livePids);
    }

    /** Processes cached now. */
    public int size() {
        return byPid.size();
    }

    /** Processes read in full (a new pid, or a reused one). */
    public long loads() {
        return loads;
    }

    /** Lookups that failed on a file that made no sense. */
    public long malformed() {
        return malformed;
    }

    /** Lookups that failed on a read error other than the process having exited. */
    public long failed() {
        return failed;
    }
}
