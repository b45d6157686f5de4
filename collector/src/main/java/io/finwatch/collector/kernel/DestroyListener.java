package io.finwatch.collector.kernel;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.SocketEnd;
import io.finwatch.common.log.RateLimitedLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's TCP destroy notifications (what {@code ss -E} shows), in every namespace the collector can enter:
 * a netlink {@code NETLINK_SOCK_DIAG} socket made inside each namespace on a {@link NetnsThread} joins the
 * multicast groups {@code SKNLGRP_INET_TCP_DESTROY} and {@code SKNLGRP_INET6_TCP_DESTROY} (no capability is
 * needed to receive). The kernel sends one {@code inet_diag_msg} per freed full socket, state CLOSE, with its
 * cookie, queues and tcp_info, and no timestamp: so one thread reads every namespace's socket as messages come,
 * and the time of receipt is the socket's end. Time-wait minisockets are never announced (their end only a poll
 * sees); docs/research/kernel-facts/FINDINGS.md section 3 has the measurements.
 *
 * <p>What was received waits in a bounded queue until the next poll takes it ({@link #drainTo}). An overflow of a
 * namespace's receive buffer (the kernel drops messages and the next recv fails with ENOBUFS) or of the queue is
 * counted and logged (rate-limited); the poll still sees those sockets' ends, at its own time, or not at all for
 * a socket that lived between two polls.
 *
 * <p>{@link #retain} and {@link #drainTo} are called by the one poll loop; the reading thread owns the sockets'
 * reads and closes.
 */
public final class DestroyListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DestroyListener.class);
    /** SKNLGRP_INET_TCP_DESTROY (1) and SKNLGRP_INET6_TCP_DESTROY (3), as bind(2) group bits (group n is bit n-1). */
    static final int TCP_DESTROY_GROUPS = (1 << (1 - 1)) | (1 << (3 - 1));
    /**
     * Asked receive buffer: the kernel doubles it and charges 1280 bytes per queued message, so 2 MiB hold about
     * 1600 notifications while the reader is descheduled. Memory is charged only for what is queued.
     */
    private static final int RECEIVE_BUFFER = 1 << 20;
    /** Notifications kept between two polls; more are counted as dropped. About 200 bytes each. */
    static final int QUEUE_LIMIT = 200_000;
    /** After a failed poll(2), before the next. */
    private static final int RETRY_MS = 100;
    private static final NativeLong EIGHT = new NativeLong(8);
    private static final int RECEIVE_BYTES = 64 * 1024;

    private final Procfs procfs;
    private final LibC libc;
    private final NetnsThread entering = new NetnsThread("finwatch-netns-destroy");
    /** Namespace inode to fd; the poll loop's. */
    private final Map<Long, Integer> sockets = new HashMap<>();
    private final Set<Long> notEntered = new HashSet<>();
    /** What the reader polls: replaced whole by {@link #retain}. */
    private volatile Subscribed[] subscribed = new Subscribed[0];
    private final ConcurrentLinkedQueue<Integer> toClose = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SocketEnd> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong notifications = new AtomicLong();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final RateLimitedLog warnings = new RateLimitedLog(log, Duration.ofMinutes(1));
    private final Thread reader;
    /**
     * Wakes the reader when the namespaces change or the listener closes, so that it sleeps in poll(2) until the
     * kernel has something to say: an idle host costs it nothing (a 100 ms poll timeout cost 0.1% of a core), and
     * a new namespace is polled from the moment it is subscribed.
     */
    private final int wake;
    private volatile boolean closed;

    private record Subscribed(long netns, int fd) {
    }

    /** @throws UnsatisfiedLinkError where there is no libc to bind (not Linux, no JNA native) */
    public DestroyListener(Procfs procfs) {
        this.procfs = procfs;
        this.libc = LibC.load();
        this.wake = libc.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        this.reader = new Thread(this::readLoop, "finwatch-destroy-events");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Subscribes in namespaces new to {@code namespaces} and stops listening in those that went away (an open
     * socket would keep its namespace alive). A namespace that cannot be entered is left to polling, with one
     * warning.
     */
    public void retain(NamespaceSet namespaces) {
        Map<Long, NetNamespace> live = namespaces.byInode();
        boolean changed = false;
        for (Iterator<Map.Entry<Long, Integer>> it = sockets.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Integer> e = it.next();
            if (!live.containsKey(e.getKey())) {
                toClose.add(e.getValue());
                it.remove();
                changed = true;
            }
        }
        notEntered.retainAll(live.keySet());
        for (NetNamespace ns : live.values()) {
            if (!sockets.containsKey(ns.inode()) && !notEntered.contains(ns.inode())) {
                Integer fd = subscribe(ns);
                if (fd != null) {
                    sockets.put(ns.inode(), fd);
                    changed = true;
                }
            }
        }
        if (changed) {
            subscribed = sockets.entrySet().stream().map(e -> new Subscribed(e.getKey(), e.getValue()))
                    .toArray(Subscribed[]::new);
            wakeReader();
        }
    }

    private void wakeReader() {
        try {
            libc.write(wake, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, EIGHT);
        } catch (LastErrorException e) {
            // EAGAIN: the counter is full, so the reader has a wake-up pending anyway.
        }
    }

    /** Moves the notifications received so far to {@code into}, oldest first. */
    public void drainTo(List<SocketEnd> into) {
        SocketEnd e;
        while ((e = received.poll()) != null) {
            queued.decrementAndGet();
            into.add(e);
        }
    }

    /** Namespaces listened to now. */
    public int namespaces() {
        return subscribed.length;
    }

    /** Notifications received, in total. */
    public long notifications() {
        return notifications.get();
    }

    /** Times a namespace's receive buffer overflowed (the kernel dropped notifications), in total. */
    public long overflows() {
        return overflows.get();
    }

    /** Notifications dropped because the poll had not taken the queue's {@value #QUEUE_LIMIT}. */
    public long dropped() {
        return dropped.get();
    }

    /** Messages that could not be decoded. */
    public long malformed() {
        return malformed.get();
    }

    private Integer subscribe(NetNamespace ns) {
        StringBuilder why = new StringBuilder();
        for (int pid : SockDiagReader.candidates(ns)) {
            try {
                return entering.call(procfs.pid(pid, "ns", "net"), ns.inode(), this::openSubscribed);
            } catch (IOException e) {
                why.append(why.length() == 0 ? "" : "; ").append(e.getMessage());
            }
        }
        notEntered.add(ns.inode());
        log.warn("no destroy notifications from netns {} (its sockets' ends are seen by polling only): {}",
                ns.inode(), why);
        return null;
    }

    /** On the entering thread, inside the namespace. */
    private int openSubscribed() throws IOException {
        int fd;
        try {
            fd = libc.socket(LibC.AF_NETLINK, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, LibC.NETLINK_SOCK_DIAG);
        } catch (LastErrorException e) {
            throw new IOException("netlink socket: " + e.getMessage());
        }
        try {
            try {
                libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUFFORCE, new int[] {RECEIVE_BUFFER}, 4);
            } catch (LastErrorException e) {
                // Without CAP_NET_ADMIN: as much as net.core.rmem_max allows.
                libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF, new int[] {RECEIVE_BUFFER}, 4);
            }
            byte[] addr = new byte[12];
            ByteBuffer.wrap(addr).order(ByteOrder.nativeOrder())
                    .putShort(0, (short) LibC.AF_NETLINK).putInt(8, TCP_DESTROY_GROUPS);
            libc.bind(fd, addr, addr.length);
            return fd;
        } catch (LastErrorException e) {
            LibC.closeQuietly(libc, fd);
            throw new IOException("joining the TCP destroy groups: " + e.getMessage());
        }
    }

    // ---- on the reader thread ----

    private void readLoop() {
        Memory pollFds = new Memory(8L * 64);
        Memory buffer = new Memory(RECEIVE_BYTES);
        ByteBuffer bytes = buffer.getByteBuffer(0, RECEIVE_BYTES).order(ByteOrder.nativeOrder());
        NativeLong receiveBytes = new NativeLong(RECEIVE_BYTES);
        byte[] counter = new byte[8];
        Subscribed[] polled = null;
        NativeLong count = null;
        while (!closed) {
            Integer fd;
            while ((fd = toClose.poll()) != null) {
                LibC.closeQuietly(libc, fd);
            }
            Subscribed[] now = subscribed;
            if (now != polled) {
                // Slot 0 is the wake-up counter, slot i + 1 the namespace now[i].
                if (pollFds.size() < 8L * (now.length + 1)) {
                    pollFds = new Memory(8L * (now.length + 1) * 2);
                }
                pollFds.setInt(0, wake);
                pollFds.setShort(4, LibC.POLLIN);
                for (int i = 0; i < now.length; i++) {
                    pollFds.setInt(8L * (i + 1), now[i].fd());
                    pollFds.setShort(8L * (i + 1) + 4, LibC.POLLIN);
                }
                polled = now;
                count = new NativeLong(now.length + 1);
            }
            try {
                if (libc.poll(pollFds, count, -1) <= 0) {
                    continue;
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() != LibC.EINTR) {
                    warnings.warn("poll", "waiting for destroy notifications: {}", e.getMessage());
                    LockSupport.parkNanos(RETRY_MS * 1_000_000L);
                }
                continue;
            }
            if (pollFds.getShort(6) != 0) {
                try {
                    libc.read(wake, counter, EIGHT);
                } catch (LastErrorException e) {
                    // EAGAIN: already read
                }
            }
            for (int i = 0; i < now.length; i++) {
                // One datagram per ready socket and round: poll(2) answers at once while more are queued, and no
                // recv ends in EAGAIN (an exception through JNA).
                if (pollFds.getShort(8L * (i + 1) + 6) != 0) {
                    receive(now[i], buffer, bytes, receiveBytes);
                }
            }
        }
    }

    /** Reads one datagram (one notification) from a namespace's socket that poll(2) found ready. */
    private void receive(Subscribed s, Memory buffer, ByteBuffer bytes, NativeLong receiveBytes) {
        long n;
        try {
            n = libc.recv(s.fd(), buffer, receiveBytes, LibC.MSG_DONTWAIT).longValue();
        } catch (LastErrorException e) {
            String source = "netlink destroy notifications of netns " + s.netns();
            if (e.getErrorCode() == LibC.ENOBUFS) {
                overflows.incrementAndGet();
                warnings.warn(source, "{}: the receive buffer overflowed and the kernel dropped some; those "
                        + "sockets' ends are seen by the next poll", source);
            } else if (e.getErrorCode() != LibC.EAGAIN && e.getErrorCode() != LibC.EINTR) {
                warnings.warn(source, "{}: recv: {}", source, e.getMessage());
            }
            return;
        }
        if (n <= 0) {
            return;
        }
        long at = System.currentTimeMillis();
        bytes.limit((int) n).position(0);
        // Notifications carry seq 0; their ages and queues are as of the socket's end.
        String source = "netlink destroy notifications of netns " + s.netns();
        InetDiagDecoder decoder = new InetDiagDecoder(source, s.netns(), 0);
        try {
            decoder.decode(bytes, at, row -> offer(new SocketEnd(row, at)), this::malformed);
        } catch (IOException e) {
            malformed.incrementAndGet();
            warnings.warn(source, "{}", e.getMessage());
        }
    }

    private void offer(SocketEnd end) {
        notifications.incrementAndGet();
        if (queued.incrementAndGet() > QUEUE_LIMIT) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            warnings.warn("queue", "more than {} destroy notifications since the last poll: dropping the rest "
                    + "(their sockets' ends are seen by polling)", QUEUE_LIMIT);
            return;
        }
        received.add(end);
    }

    private void malformed(ParseError e) {
        malformed.incrementAndGet();
        warnings.warn(e.source(), "malformed destroy notification skipped: {}", e);
    }

    /** Stops the reader and closes every namespace's socket. */
    @Override
    public void close() {
        closed = true;
        wakeReader();
        try {
            reader.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribed = new Subscribed[0];
        toClose.addAll(sockets.values());
        sockets.clear();
        Integer fd;
        while ((fd = toClose.poll()) != null) {
            LibC.closeQuietly(libc, fd);
        }
        if (!reader.isAlive()) {
            LibC.closeQuietly(libc, wake);
        }
        entering.close();
    }
}
