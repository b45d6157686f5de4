package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.finwatch.collector.socket.InetText;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.track.StateChange;
import io.finwatch.common.log.RateLimitedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's TCP state changes into and out of the closing states, system-wide (every network namespace), as
 * the tracepoint {@code sock:inet_sock_set_state} announces them, read through perf_event_open(2) without BPF:
 * one event per online CPU, each with its own ring buffer. A filter set in the kernel keeps handshakes and
 * listeners out, so a busy host's connection churn costs the collector only its closings.
 *
 * <p>{@link #drain} reads the rings without blocking; the caller polls. Each CPU's changes come in order, but
 * changes from different CPUs are not time-ordered: a socket whose changes happened on two CPUs may come out of
 * order within one drain (sort by {@link StateChange#atNanos} where it matters). A ring that fills between two
 * drains makes the kernel drop changes and say how many: {@link #lostTotal}, logged.
 *
 * <p>CPUs brought online after {@link #open} are not read. Needs CAP_PERFMON or CAP_SYS_ADMIN (or
 * kernel.perf_event_paranoid -1), and CAP_IPC_LOCK for rings past kernel.perf_event_mlock_kb.
 *
 * <p>Not thread-safe: one thread drains and closes; the counters may be read from any thread.
 */
public final class StateChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StateChangeFeed.class);
    /**
     * 512 KiB of 4 KiB pages per CPU, about 5,000 changes between two drains: with the metadata page that is the
     * kernel's default kernel.perf_event_mlock_kb (516), which a user may lock per CPU without CAP_IPC_LOCK or
     * RLIMIT_MEMLOCK. A burst past it is lost, counted, and makes the next poll read every namespace.
     */
    public static final int DEFAULT_PAGES_PER_CPU = 128;
    private static final String TRACEPOINT = "sock:inet_sock_set_state";
    private static final String EVENT_DIR = "events/sock/inet_sock_set_state";

    private static final int PERF_TYPE_TRACEPOINT = 2;
    private static final int PERF_ATTR_SIZE_VER5 = 112;
    private static final long PERF_SAMPLE_TIME = 1L << 2;
    private static final long PERF_SAMPLE_RAW = 1L << 10;
    private static final long ATTR_DISABLED = 1L;
    private static final long ATTR_USE_CLOCKID = 1L << 25;
    private static final long PERF_FLAG_FD_CLOEXEC = 8;
    private static final NativeLong PERF_EVENT_IOC_ENABLE = new NativeLong(0x2400);
    private static final NativeLong PERF_EVENT_IOC_DISABLE = new NativeLong(0x2401);
    private static final NativeLong PERF_EVENT_IOC_SET_FILTER = new NativeLong(0x40082406);
    private static final int PERF_RECORD_LOST = 2;
    private static final int PERF_RECORD_SAMPLE = 9;
    private static final int CLOCK_REALTIME = 0;
    private static final int CLOCK_MONOTONIC = 1;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    /** A sample is the header, u64 time, u32 raw size, then the tracepoint's raw record. */
    private static final int RAW_START = 8 + 8 + 4;

    /**
     * Changes that enter or leave FIN_WAIT1, FIN_WAIT2, TIME_WAIT, CLOSE_WAIT, LAST_ACK or CLOSING, and entries
     * into CLOSE (a socket's end); IPPROTO_TCP only, for the tracepoint also reports SCTP and MPTCP.
     */
    static final String FILTER = "protocol == 6 && (newstate == 4 || newstate == 5 || newstate == 6"
            + " || newstate == 7 || newstate == 8 || newstate == 9 || newstate == 11"
            + " || oldstate == 4 || oldstate == 5 || oldstate == 6 || oldstate == 8 || oldstate == 9"
            + " || oldstate == 11)";

    private final PerfLibC libc;
    private final Layout layout;
    private final String clock;
    /** Added to a sample's time to make it epoch nanoseconds. */
    private final long toEpochNanos;
    private final List<Integer> cpus = new ArrayList<>();
    private final List<Integer> fds = new ArrayList<>();
    private final List<PerfRing> rings = new ArrayList<>();
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(1));
    // One writer, the draining thread.
    private volatile long changesTotal;
    private volatile long lostTotal;
    private volatile long malformedTotal;
    private boolean closed;

    /** What one {@link #drain} read: changes passed on, and changes the kernel reported dropped. */
    public record Drain(int changes, long lost) {
    }

    /** Where the fields needed lie in the raw record, and how long a record must be to hold them all. */
    private record Layout(int oldstate, int newstate, int sport, int dport, int family, int saddr, int daddr,
                          int saddrV6, int daddrV6, int end) {
        static Layout of(TracepointFormat f) {
            f.offset("protocol", 2); // only the filter reads it, but without it the filter is refused
            int oldstate = f.offset("oldstate", 4);
            int newstate = f.offset("newstate", 4);
            int sport = f.offset("sport", 2);
            int dport = f.offset("dport", 2);
            int family = f.offset("family", 2);
            int saddr = f.offset("saddr", 4);
            int daddr = f.offset("daddr", 4);
            int saddrV6 = f.offset("saddr_v6", 16);
            int daddrV6 = f.offset("daddr_v6", 16);
            int end = IntStream.of(oldstate + 4, newstate + 4, sport + 2, dport + 2, family + 2, saddr + 4,
                    daddr + 4, saddrV6 + 16, daddrV6 + 16).max().orElseThrow();
            return new Layout(oldstate, newstate, sport, dport, family, saddr, daddr, saddrV6, daddrV6, end);
        }
    }

    private StateChangeFeed(PerfLibC libc, Layout layout, String clock, long toEpochNanos) {
        this.libc = libc;
        this.layout = layout;
        this.clock = clock;
        this.toEpochNanos = toEpochNanos;
    }

    /** {@link #open(Path, int)} with {@value #DEFAULT_PAGES_PER_CPU} pages per CPU. */
    public static StateChangeFeed open(Path root) throws IOException {
        return open(root, DEFAULT_PAGES_PER_CPU);
    }

    /**
     * @param root        the host's filesystem root, under which tracefs and sysfs are found: "/" unless the
     *                    host's root is mounted elsewhere
     * @param pagesPerCpu ring size of each CPU, a power of two
     * @throws IOException when tracefs or the tracepoint is missing, the kernel refuses the event (with what it
     *                     needs), or the architecture is not one whose syscall number is known
     */
    public static StateChangeFeed open(Path root, int pagesPerCpu) throws IOException {
        return open(root, pagesPerCpu, true);
    }

    /** {@code realtime} false: skip CLOCK_REALTIME, as on kernels that refuse it. */
    static StateChangeFeed open(Path root, int pagesPerCpu, boolean realtime) throws IOException {
        if (pagesPerCpu <= 0 || Integer.bitCount(pagesPerCpu) != 1) {
            throw new IllegalArgumentException("pagesPerCpu must be a power of two: " + pagesPerCpu);
        }
        Path dir = eventDir(root);
        Path formatFile = dir.resolve("format");
        TracepointFormat format;
        Layout layout;
        try {
            // Its ID line is what the "id" file beside it says.
            format = TracepointFormat.parse(formatFile.toString(), Files.readString(formatFile));
            layout = Layout.of(format);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        long id = format.id();
        // The kernel's CPUs, the same from any mount namespace: a container's own sysfs shows them, where the host's
        // root (a DaemonSet's /host) carries only /proc and tracefs.
        Path online = Path.of("/sys/devices/system/cpu/online");
        List<Integer> cpus = onlineCpus(Files.readString(online).strip(), online);
        long syscall = perfEventOpenNumber(System.getProperty("os.arch"));
        PerfLibC libc = PerfLibC.load();
        long pageSize = libc.sysconf(PerfLibC.SC_PAGESIZE).longValue();

        Memory attr = attr(id, realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
        int first = cpus.get(0);
        int firstFd;
        boolean monotonic = !realtime;
        try {
            firstFd = perfEventOpen(libc, syscall, attr, first);
        } catch (LastErrorException e) {
            if (!realtime || e.getErrorCode() != PerfLibC.EINVAL) {
                throw openFailure(e, first);
            }
            // The kernel refuses a clock that is not NMI-safe, as CLOCK_REALTIME, to an event that may fire in NMI
            // context; it counts tracepoints among those (Linux 6.18 does).
            attr = attr(id, CLOCK_MONOTONIC);
            monotonic = true;
            try {
                firstFd = perfEventOpen(libc, syscall, attr, first);
            } catch (LastErrorException again) {
                throw openFailure(again, first);
            }
        }
        // Measured once: a later NTP step moves the wall clock away from the samples' times.
        StateChangeFeed feed = monotonic
                ? new StateChangeFeed(libc, layout, "MONOTONIC", realtimeMinusMonotonic(libc))
                : new StateChangeFeed(libc, layout, "REALTIME", 0);
        try {
            feed.attach(first, firstFd, pageSize, pagesPerCpu);
            for (int cpu : cpus.subList(1, cpus.size())) {
                int fd;
                try {
                    fd = perfEventOpen(libc, syscall, attr, cpu);
                } catch (LastErrorException e) {
                    throw openFailure(e, cpu);
                }
                feed.attach(cpu, fd, pageSize, pagesPerCpu);
            }
        } catch (IOException | RuntimeException e) {
            feed.close();
            throw e;
        }
        return feed;
    }

    private static Path eventDir(Path root) throws IOException {
        Path tracefs = root.resolve("sys/kernel/tracing").resolve(EVENT_DIR);
        Path debugfs = root.resolve("sys/kernel/debug/tracing").resolve(EVENT_DIR);
        for (Path dir : List.of(tracefs, debugfs)) {
            if (Files.isReadable(dir.resolve("format"))) {
                return dir;
            }
        }
        throw new IOException("tracefs is not mounted at " + tracefs + " nor at " + debugfs
                + " (or the kernel has no tracepoint " + TRACEPOINT + "); as root: mount -t tracefs nodev "
                + "/sys/kernel/tracing");
    }


    /** sysfs cpu list: {@code 0-3} or {@code 0,2-5}. */
    static List<Integer> onlineCpus(String text, Path file) throws IOException {
        List<Integer> cpus = new ArrayList<>();
        try {
            for (String range : text.split(",")) {
                int dash = range.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
                int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
                for (int cpu = from; cpu <= to; cpu++) {
                    cpus.add(cpu);
                }
            }
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not a cpu list: " + text);
        }
        if (cpus.isEmpty()) {
            throw new IOException(file + ": no online cpu: " + text);
        }
        return cpus;
    }

    static long perfEventOpenNumber(String arch) throws IOException {
        return switch (arch) {
            case "amd64", "x86_64" -> 298;
            case "aarch64" -> 241;
            default -> throw new IOException("unsupported architecture " + arch
                    + ": the perf_event_open syscall number is known for x86_64 and aarch64 only");
        };
    }

    /** struct perf_event_attr up to PERF_ATTR_SIZE_VER5, in native (little-endian) order; the rest zero. */
    private static Memory attr(long tracepointId, int clockId) {
        Memory attr = new Memory(PERF_ATTR_SIZE_VER5);
        attr.clear();
        attr.setInt(0, PERF_TYPE_TRACEPOINT);
        attr.setInt(4, PERF_ATTR_SIZE_VER5);
        attr.setLong(8, tracepointId);
        attr.setLong(16, 1); // sample_period: every change
        attr.setLong(24, PERF_SAMPLE_TIME | PERF_SAMPLE_RAW);
        // Disabled until the filter is set, or unfiltered samples would reach the ring first.
        attr.setLong(40, ATTR_DISABLED | ATTR_USE_CLOCKID);
        // wakeup_events 0: the kernel wakes readers only at half a ring (its default watermark), not at every sample;
        // nothing waits anyway, drain() polls.
        attr.setInt(48, 0);
        attr.setInt(92, clockId);
        return attr;
    }

    private static int perfEventOpen(PerfLibC libc, long syscall, Memory attr, int cpu) {
        // pid -1 with a cpu: every task on that cpu
        return (int) libc.syscall(syscall, attr, -1L, (long) cpu, -1L, PERF_FLAG_FD_CLOEXEC);
    }

    private static IOException openFailure(LastErrorException e, int cpu) {
        int errno = e.getErrorCode();
        if (errno == PerfLibC.EACCES || errno == PerfLibC.EPERM) {
            return new IOException("perf_event_open on tracepoint " + TRACEPOINT + " refused (errno " + errno
                    + "): needs CAP_PERFMON or CAP_SYS_ADMIN, or kernel.perf_event_paranoid <= -1");
        }
        return new IOException("perf_event_open on tracepoint " + TRACEPOINT + ", cpu " + cpu + ": "
                + e.getMessage());
    }

    private static long realtimeMinusMonotonic(PerfLibC libc) {
        long[] ts = new long[2];
        libc.clock_gettime(CLOCK_REALTIME, ts);
        long before = ts[0] * 1_000_000_000L + ts[1];
        libc.clock_gettime(CLOCK_MONOTONIC, ts);
        long monotonic = ts[0] * 1_000_000_000L + ts[1];
        libc.clock_gettime(CLOCK_REALTIME, ts);
        long after = ts[0] * 1_000_000_000L + ts[1];
        return before + (after - before) / 2 - monotonic;
    }

    /** Takes {@code fd} over: filters, maps and enables it, or closes it. */
    private void attach(int cpu, int fd, long pageSize, int pages) throws IOException {
        cpus.add(cpu);
        fds.add(fd);
        rings.add(null);
        try {
            libc.ioctl(fd, PERF_EVENT_IOC_SET_FILTER, FILTER);
        } catch (LastErrorException e) {
            throw new IOException("setting the filter of tracepoint " + TRACEPOINT + " (cpu " + cpu + "): "
                    + e.getMessage());
        }
        try {
            rings.set(rings.size() - 1, PerfRing.map(libc, fd, pageSize, pages));
        } catch (LastErrorException e) {
            throw new IOException("mmap of a " + (pages * pageSize >> 10) + " KiB perf ring (cpu " + cpu + "): "
                    + e.getMessage() + (e.getErrorCode() == PerfLibC.EPERM
                    ? "; past kernel.perf_event_mlock_kb and RLIMIT_MEMLOCK it needs CAP_IPC_LOCK, or use fewer"
                    + " pages per cpu" : ""));
        }
        try {
            libc.ioctl(fd, PERF_EVENT_IOC_ENABLE, 0L);
        } catch (LastErrorException e) {
            throw new IOException("enabling tracepoint " + TRACEPOINT + " (cpu " + cpu + "): " + e.getMessage());
        }
    }

    /** "REALTIME", or "MONOTONIC" where the kernel refused CLOCK_REALTIME (times then shifted by an offset). */
    public String clock() {
        return clock;
    }

    /** Reads every CPU's ring once, without waiting, passing each change to {@code sink}. */
    public Drain drain(Consumer<StateChange> sink) {
        if (closed) {
            throw new IllegalStateException("the state change feed is closed"); // its rings are unmapped
        }
        int changes = 0;
        long lost = 0;
        for (int i = 0; i < rings.size(); i++) {
            PerfRing ring = rings.get(i);
            ring.begin();
            try {
                for (ByteBuffer r = ring.next(); r != null; r = ring.next()) {
                    int type = r.getInt(0);
                    if (type == PERF_RECORD_SAMPLE) {
                        StateChange change = decode(r);
                        if (change != null) {
                            changes++;
                            changesTotal++;
                            sink.accept(change);
                        }
                    } else if (type == PERF_RECORD_LOST && r.limit() >= 24) {
                        long n = r.getLong(16);
                        lost += n;
                        lostTotal += n;
                        warnings.warn("lost " + cpus.get(i), "the perf ring of cpu {} was full: the kernel dropped"
                                + " {} TCP state changes (drain more often or give it more pages)", cpus.get(i), n);
                    }
                }
            } finally {
                if (!ring.end()) {
                    // What lay between the bad header and the write position is gone: a loss to the reader.
                    lost++;
                    malformedTotal++;
                    warnings.warn("ring " + cpus.get(i), "the perf ring of cpu {} holds an impossible record"
                            + " header: skipped to the kernel's write position", cpus.get(i));
                }
            }
        }
        return new Drain(changes, lost);
    }

    private StateChange decode(ByteBuffer r) {
        Layout l = layout;
        int rawSize = r.limit() >= RAW_START ? r.getInt(16) : -1;
        if (rawSize < l.end() || rawSize > r.limit() - RAW_START) {
            return malformed("a sample of " + r.limit() + " bytes with " + rawSize + " raw bytes, "
                    + l.end() + " needed");
        }
        int raw = RAW_START;
        TcpState from = TcpState.ofCode(r.getInt(raw + l.oldstate()));
        TcpState to = TcpState.ofCode(r.getInt(raw + l.newstate()));
        if (from == null || to == null) {
            return malformed("unknown TCP state " + r.getInt(raw + l.oldstate()) + " -> "
                    + r.getInt(raw + l.newstate()));
        }
        int family = r.getShort(raw + l.family()) & 0xffff;
        String local;
        String remote;
        if (family == AF_INET) {
            local = v4(r, raw + l.saddr());
            remote = v4(r, raw + l.daddr());
        } else if (family == AF_INET6) {
            local = v6(r, raw + l.saddrV6());
            remote = v6(r, raw + l.daddrV6());
        } else {
            return malformed("address family " + family);
        }
        long time = r.getLong(8) + toEpochNanos;
        // The kernel stores the ports already converted to host order.
        return new StateChange(local, r.getShort(raw + l.sport()) & 0xffff, remote,
                r.getShort(raw + l.dport()) & 0xffff, from, to, time);
    }

    private StateChange malformed(String what) {
        malformedTotal++;
        warnings.warn("sample", "malformed {} sample skipped: {}", TRACEPOINT, what);
        return null;
    }

    private static String v4(ByteBuffer r, int at) {
        return InetText.format(4, 0, networkOrder(r, at, 4));
    }

    private static String v6(ByteBuffer r, int at) {
        return InetText.formatUnmapped(6, networkOrder(r, at, 8), networkOrder(r, at + 8, 8));
    }

    private static long networkOrder(ByteBuffer r, int at, int bytes) {
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | (r.get(at + i) & 0xff);
        }
        return v;
    }

    /** Changes passed on since open. */
    public long changesTotal() {
        return changesTotal;
    }

    /** Changes the kernel dropped because a ring was full, since open. */
    public long lostTotal() {
        return lostTotal;
    }

    /** Samples or ring headers that could not be decoded, since open. */
    public long malformedTotal() {
        return malformedTotal;
    }

    /** Stops the events, unmaps their rings and closes them; what was not drained is gone. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < fds.size(); i++) {
            int fd = fds.get(i);
            try {
                libc.ioctl(fd, PERF_EVENT_IOC_DISABLE, 0L);
            } catch (LastErrorException ignored) {
                // closing it stops it too
            }
            if (rings.get(i) != null) {
                rings.get(i).unmap(libc);
            }
            try {
                libc.close(fd);
            } catch (LastErrorException ignored) {
                // nothing to do about it
            }
        }
    }
}
