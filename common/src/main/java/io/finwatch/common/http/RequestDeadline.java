package io.finwatch.common.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP connection whose request has not arrived whole within the request timeout: counted from the
 * connection's opening (a TLS handshake included), and on a kept-alive connection from the first byte of its next
 * request. Jetty parses without holding a thread, but its idle timeout restarts with every byte, so a client
 * trickling a header byte by byte would keep a connection (and its buffers) forever; this is the deadline Jetty
 * does not have. A request being answered is never cut: its time is the server's, not the client's.
 *
 * <p>Connections are checked on the server's scheduler every tenth of the timeout, so one is closed at most
 * {@code timeout * 1.2} after its deadline started.
 */
final class RequestDeadline extends AbstractLifeCycle implements Connection.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);
    private static final long LOG_EVERY_NS = TimeUnit.MINUTES.toNanos(1);

    private final long timeoutNs;
    private final String timeoutText;
    private final Scheduler scheduler;
    private final Map<Connection, Watch> watched = new ConcurrentHashMap<>();
    private final AtomicLong closed = new AtomicLong();
    private long unloggedClosed;
    private long lastLogNs = System.nanoTime() - LOG_EVERY_NS;
    private volatile Scheduler.Task next;

    /** What was seen of one connection at the last check. */
    private static final class Watch {
        long messagesIn;
        long bytesIn;
        /** When the pending request's deadline started; -1 while none is pending. */
        long sinceNs;
    }

    RequestDeadline(Duration timeout, Scheduler scheduler) {
        this.timeoutNs = timeout.toNanos();
        this.timeoutText = timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
        this.scheduler = scheduler;
    }

    /** Connections closed because their request did not arrive in time. */
    long closed() {
        return closed.get();
    }

    @Override
    public void onOpened(Connection connection) {
        // The HTTP connection counts requests; a TLS connection under it only carries bytes.
        if (connection instanceof ConnectionMetaData) {
            Watch w = new Watch();
            w.sinceNs = System.nanoTime();
            watched.put(connection, w);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        watched.remove(connection);
    }

    @Override
    protected void doStart() {
        schedule();
    }

    @Override
    protected void doStop() {
        Scheduler.Task t = next;
        if (t != null) {
            t.cancel();
        }
        watched.clear();
    }

    private void schedule() {
        if (isRunning() || isStarting()) {
            next = scheduler.schedule(this::check, Math.max(timeoutNs / 10, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        try {
            long now = System.nanoTime();
            watched.forEach((c, w) -> {
                long in = c.getMessagesIn();
                long bytes = c.getBytesIn();
                if (in != w.messagesIn) {
                    // A request arrived whole: no deadline until the next one starts.
                    w.messagesIn = in;
                    w.bytesIn = bytes;
                    w.sinceNs = -1;
                    return;
                }
                if (w.sinceNs < 0 && bytes > w.bytesIn && c.getMessagesOut() >= in) {
                    w.sinceNs = now;
                }
                if (w.sinceNs >= 0 && now - w.sinceNs >= timeoutNs) {
                    watched.remove(c);
                    closed.incrementAndGet();
                    note(c);
                    c.getEndPoint().close(new TimeoutException("no whole request within " + timeoutText));
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("checking HTTP request deadlines failed", e);
        } finally {
            schedule();
        }
    }

    /** One line a minute at most, with the count of what it stands for. */
    private synchronized void note(Connection c) {
        unloggedClosed++;
        long now = System.nanoTime();
        if (now - lastLogNs >= LOG_EVERY_NS) {
            LOG.warn("closed {} HTTP connection(s) that sent no whole request within {} (last from {})", unloggedClosed, timeoutText,
                    c.getEndPoint().getRemoteSocketAddress());
            unloggedClosed = 0;
            lastLogNs = now;
        }
    }
}
