package io.finwatch.collector.kernel;

import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.ProcessInfo;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who a pid is: name, user and container, read from {@code <procfs>/<pid>/} and cached per process.
 *
 * <p>The cache key is (pid, start time), so a pid reused by a new process never inherits the old one's
 * name: every lookup reads {@code <pid>/stat} (one small read) to learn the start time, and only a
 * process not seen before costs the further reads of status and cgroup.
 *
 * <p>The comm is taken from stat too (the kernel prints the same field as in {@code <pid>/comm}), read in
 * the same instant as the start time. A cached process whose comm changed has exec'd (or renamed
 * itself) and is read again, which catches the common fork-then-exec: seen first as the parent's name,
 * then as the new program. A uid changed by a setuid exec or setuid(2) while the comm stays is not
 * noticed until the pid is reused.
 *
 * <p>Not thread-safe: one poll loop owns a table.
 */
public final class ProcessTable {
    private static final Logger log = LoggerFactory.getLogger(ProcessTable.class);
    /** Field 22 of stat; fields after the comm's closing parenthesis start at 3. */
    private static final int START_TIME_AFTER_COMM = 22 - 3;

    private final Procfs procfs;
    private final Map<Integer, ProcessInfo> byPid = new HashMap<>();
    private long loads;
    private long malformed;
    private long failed;

    public ProcessTable(Procfs procfs) {
        this.procfs = procfs;
    }

    /**
     * The process now running as {@code pid}.
     *
     * @return its info, or null when it has exited, or its files could not be read or made no sense
     *         (counted in {@link #malformed()} / {@link #failed()})
     */
    public ProcessInfo get(int pid) {
        try {
            Stat stat = stat(pid);
            ProcessInfo cached = byPid.get(pid);
            if (cached != null && cached.startTimeTicks() == stat.startTime() && cached.comm().equals(stat.comm())) {
                return cached;
            }
            ProcessInfo info = load(pid, stat);
            // Reused while we read its files: what we read may be a mix of two processes.
            if (stat(pid).startTime() != stat.startTime()) {
                byPid.remove(pid);
                return null;
            }
            byPid.put(pid, info);
            loads++;
            return info;
        } catch (NoSuchFileException gone) {
            byPid.remove(pid);
            return null;
        } catch (MalformedException e) {
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

    private ProcessInfo load(int pid, Stat stat) throws IOException {
        Path statusFile = procfs.pid(pid, "status");
        int uid = parseEffectiveUid(read(statusFile), statusFile);
        String containerId = CgroupContainerId.parse(Procfs.readSmall(procfs.pid(pid, "cgroup")));
        return new ProcessInfo(pid, stat.startTime(), stat.comm(), uid, containerId);
    }

    private Stat stat(int pid) throws IOException {
        Path file = procfs.pid(pid, "stat");
        return parseStat(read(file), file);
    }

    private static String read(Path file) throws IOException {
        String text = Procfs.readSmall(file);
        if (text == null) {
            throw new NoSuchFileException(file.toString());
        }
        return text;
    }

    /** The two fields of a stat line that identify a process and name it. */
    record Stat(String comm, long startTime) {
    }

    /**
     * Field 2 (comm) and field 22 (starttime) of a {@code /proc/<pid>/stat} line. The comm may hold
     * spaces and parentheses, so it runs from the first '(' to the last ')' and fields are counted from
     * there.
     */
    static Stat parseStat(String stat, Path source) throws MalformedException {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw new MalformedException(source, "no (comm)", stat);
        }
        String comm = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 1).strip().split(" ");
        if (fields.length <= START_TIME_AFTER_COMM) {
            throw new MalformedException(source, "fewer than 22 fields", stat);
        }
        try {
            return new Stat(comm, Long.parseLong(fields[START_TIME_AFTER_COMM]));
        } catch (NumberFormatException e) {
            throw new MalformedException(source, "field 22 is not a number", stat);
        }
    }

    /** The effective uid: second of the four ids (real, effective, saved, filesystem) on the Uid: line. */
    static int parseEffectiveUid(String status, Path source) throws MalformedException {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).strip().split("\\s+");
                try {
                    if (ids.length >= 2) {
                        return Integer.parseUnsignedInt(ids[1]);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new MalformedException(source, "Uid: line without an effective uid", line);
            }
        }
        throw new MalformedException(source, "no Uid: line", status);
    }

    /** A /proc file that does not have the kernel's format. */
    static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedException(Path source, String problem, String content) {
            super(source + ": " + problem + ": '" + abbreviate(content) + "'");
        }

        private static String abbreviate(String s) {
            String line = s.strip();
            return line.length() <= 200 ? line : line.substring(0, 200) + "...";
        }
    }
}
