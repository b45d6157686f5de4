package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that runs short tasks inside other network namespaces.
 *
 * <p>Some kernel objects belong to the network namespace of the thread that makes them: a /proc/sys/net file
 * answers for the namespace of the thread that opens it, a netlink socket queries the namespace it was created in.
 * This thread enters a namespace with setns(2) on a {@code <procfs>/<pid>/ns/net} link, checks it arrived where it
 * meant to (the pid may have been reused since the scan), runs the task, and goes back to its own namespace
 * through an fd it opened on {@code /proc/thread-self/ns/net} when it started. Only this thread ever changes
 * namespace; entering needs CAP_SYS_ADMIN. If it ever cannot get back home, it refuses all later work rather
 * than answer for the wrong namespace.
 */
public final class NetnsThread implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetnsThread.class);
    /** Tasks take microseconds; this only bounds a caller if the thread wedges. */
    private static final long TASK_TIMEOUT_SECONDS = 10;

    /** Work to do inside a namespace. */
    @FunctionalInterface
    public interface Task<T> {
        T run() throws IOException;
    }

    private final ExecutorService thread;
    /** Why namespaces cannot be entered any more; null while they can. Written on the thread. */
    private volatile String disabled;
    /** The thread's own namespace; touched only on the thread. */
    private Home home;
    private LibC libc;

    private record Home(int fd, long netns) {
    }

    public NetnsThread(String name) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        thread.execute(this::openHome);
    }

    /**
     * Runs {@code task} on this thread inside namespace {@code netns}, entered through {@code nsLink}; in place
     * when {@code netns} is the thread's own.
     *
     * @throws IOException saying why the namespace could not be entered, or the task's own failure
     */
    public <T> T call(Path nsLink, long netns, Task<T> task) throws IOException {
        try {
            return thread.submit(() -> runIn(nsLink, netns, task)).get(TASK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("netns thread closed");
        } catch (TimeoutException e) {
            throw new IOException("netns thread did not answer in " + TASK_TIMEOUT_SECONDS + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().toString(), e.getCause());
        }
    }

    /** The namespace the thread is in now: always its home between tasks. */
    public long threadNetns() throws IOException {
        try {
            return thread.submit(NetnsThread::currentNetns).get(TASK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException | RejectedExecutionException e) {
            throw new IOException("netns thread: " + e, e);
        }
    }

    // ---- on the thread ----

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

    private <T> T runIn(Path nsLink, long netns, Task<T> task) throws IOException {
        if (home == null) {
            throw new IOException(disabled);
        }
        if (netns == home.netns()) {
            return task.run();
        }
        int fd;
        try {
            fd = libc.open(nsLink.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("open " + nsLink + ": " + e.getMessage());
        }
        try {
            try {
                libc.setns(fd, LibC.CLONE_NEWNET);
            } catch (LastErrorException e) {
                throw new IOException("setns " + nsLink + ": " + e.getMessage());
            }
            try {
                long entered = currentNetns();
                if (entered != netns) {
                    throw new IOException(nsLink + " is now in netns " + entered + ", not " + netns);
                }
                return task.run();
            } finally {
                goHome();
            }
        } finally {
            closeQuietly(fd);
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
        // Stranded in a foreign namespace: no further task on this thread can be trusted.
        disabled = "the netns thread could not return to netns " + home.netns();
        log.error("{}; it refuses all further work", disabled);
        home = null;
    }

    private void closeQuietly(int fd) {
        try {
            libc.close(fd);
        } catch (LastErrorException e) {
            log.debug("close({})", fd, e);
        }
    }

    private static long currentNetns() throws IOException {
        return NetnsScanner.readNetns(Procfs.system().path("thread-self/ns/net"));
    }

    public boolean isTerminated() {
        return thread.isTerminated();
    }

    /** Stops the thread; later calls fail. */
    @Override
    public void close() {
        try {
            thread.execute(() -> {
                if (home != null) {
                    closeQuietly(home.fd());
                    home = null;
                }
                disabled = "netns thread closed";
            });
        } catch (RejectedExecutionException alreadyClosed) {
            return;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(TASK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("netns thread did not stop in {}s", TASK_TIMEOUT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
