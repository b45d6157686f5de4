package io.finwatch.collector.kernel;

import io.finwatch.collector.track.FinTimeout;
import io.finwatch.collector.track.FinTimeoutPort;
import io.finwatch.collector.track.FinTimeoutRead;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads network namespaces' own {@code net.ipv4.tcp_fin_timeout}.
 *
 * <p>/proc/sys/net answers for the network namespace of the thread that opens the file, whichever
 * procfs mount or {@code <pid>/root} path it is opened through. So the sysctl is read on a
 * {@link NetnsThread} that enters the namespace through {@code <procfs>/<pid>/ns/net} (CAP_SYS_ADMIN).
 *
 * <p>Where a namespace cannot be entered, the outcome carries the collector's own namespace's value instead,
 * marked {@link FinTimeout.Source#HOST_FALLBACK}, and why. Keeps nothing but the thread; the values are kept,
 * and refreshed, by {@code track/FinTimeouts}. Not thread-safe: one poll loop calls it.
 */
public final class FinTimeoutReader implements FinTimeoutPort, AutoCloseable {
    static final String SYSCTL = "net.ipv4.tcp_fin_timeout";

    private final Procfs procfs;
    private final NetnsThread reader = new NetnsThread("finwatch-netns-sysctl");

    public FinTimeoutReader(Procfs procfs) {
        this.procfs = procfs;
    }

    /** Each namespace's value, read inside it through its representative pid. */
    @Override
    public List<FinTimeoutRead> read(List<NetNamespace> namespaces) {
        List<FinTimeoutRead> out = new ArrayList<>(namespaces.size());
        Integer host = null;
        String hostFailure = null;
        for (NetNamespace ns : namespaces) {
            int pid = ns.representativePid();
            try {
                int seconds = reader.call(procfs.pid(pid, "ns", "net"), ns.inode(), () -> readSysctl(procfs));
                out.add(new FinTimeoutRead(ns.inode(), pid, new FinTimeout(seconds, FinTimeout.Source.NAMESPACE),
                        null, null));
                continue;
            } catch (IOException e) {
                if (host == null && hostFailure == null) {
                    // On this thread, which never leaves the collector's namespace.
                    try {
                        host = readSysctl(procfs);
                    } catch (IOException hostError) {
                        hostFailure = hostError.getMessage();
                    }
                }
                FinTimeout fallback = host == null ? null : new FinTimeout(host, FinTimeout.Source.HOST_FALLBACK);
                out.add(new FinTimeoutRead(ns.inode(), pid, fallback, e.getMessage(), hostFailure));
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

    /** Stops the reader thread; later reads get fallback values. */
    @Override
    public void close() {
        reader.close();
    }
}
