package io.finwatch.collector.procfs;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which process holds each socket: socket inode to {@link Owner}, found through the
 * {@code <procfs>/<pid>/fd/*} links that read {@code socket:[<inode>]}.
 *
 * <p>Reading every fd link of every process each poll is the expensive part of socket ownership, so the
 * work is incremental. Each poll passes, per namespace, the non-zero inodes now in its TCP tables:
 * <ul>
 *   <li>An inode already known keeps its owner while that process lives (same pid and start time, still
 *       in the namespace). This costs one small read of {@code <pid>/stat} per owning process per poll,
 *       not per socket, and nothing under {@code fd/}.</li>
 *   <li>Only inodes not known yet trigger a scan, and only of that namespace's processes.</li>
 *   <li>Inodes gone from a namespace's table are forgotten.</li>
 * </ul>
 *
 * <p><b>Why a scan still reads every link.</b> Each scan remembers, per process keyed by (pid, start
 * time), which fds held sockets. That record cannot spare the next scan any readlink: fd numbers are
 * reused (the lowest free number is handed out, so close-then-accept lands on the same fd) and nothing
 * in /proc tells that a process's fd table changed. The record is used only where a single readlink
 * can confirm it: when a known owner exits while its socket lives on (a forked child inherited it), the
 * other processes recorded with that socket are checked, lowest pid first, and the first whose fd still
 * reads {@code socket:[<inode>]} becomes the owner, with no scan.
 *
 * <p><b>Shared sockets.</b> When several processes hold a socket (fork without close), the owner is the
 * one with the lowest pid, lowest fd within it: usually the parent, and the same answer every time. The
 * owner is not re-examined while it lives, so a parent that closes its copy and leaves the child with it
 * stays the owner until it exits.
 *
 * <p><b>Unresolved inodes.</b> A socket no visible process in its namespace holds (kernel sockets; a
 * socket passed over a unix socket and still in flight; a holder we may not read, or one that setns'd
 * to another namespace after creating it) is searched again no more often than {@code unresolvedRetry},
 * or whenever a scan of its namespace happens anyway.
 *
 * <p>Not thread-safe: one poll loop owns it.
 */
public final class SocketOwners {
    public static final Duration DEFAULT_UNRESOLVED_RETRY = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(SocketOwners.class);

    private final Procfs procfs;
    private final ProcessTable processes;
    private final Clock clock;
    private final Duration unresolvedRetry;

    private final Map<Long, Known> known = new HashMap<>();
    private final Map<Long, Unresolved> unresolved = new HashMap<>();
    /** Per pid: the socket fds its last scan found; valid only while the pid's start time matches. */
    private final Map<Integer, PidSockets> fdRecords = new HashMap<>();

    private long scans;
    private long readlinks;
    private long rehomed;
    private long deniedFdDirs;

    private record Known(long netns, Owner owner) {
    }

    private record Unresolved(long netns, Instant searchedAt) {
    }

    /** The socket fds one scan found in a process, ascending by fd. */
    private record PidSockets(ProcessInfo process, int[] fds, long[] inodes) {
    }

    public SocketOwners(Procfs procfs, ProcessTable processes) {
        this(procfs, processes, Clock.systemUTC(), DEFAULT_UNRESOLVED_RETRY);
    }

    public SocketOwners(Procfs procfs, ProcessTable processes, Clock clock, Duration unresolvedRetry) {
        this.procfs = procfs;
        this.processes = processes;
        this.clock = clock;
        this.unresolvedRetry = unresolvedRetry;
    }

    /**
     * Brings ownership up to date with one poll.
     *
     * @param namespaces this poll's namespaces, whose pids are searched
     * @param liveInodes per namespace inode: the non-zero socket inodes in its tcp and tcp6 tables now;
     *                   a namespace absent here has no live sockets
     * @return the owner of every live inode that has one found (unmodifiable, not updated later)
     */
    public Map<Long, Owner> resolve(NamespaceSet namespaces, Map<Long, Set<Long>> liveInodes) {
        Instant now = clock.instant();
        forgetDead(namespaces, liveInodes);
        for (Map.Entry<Long, Set<Long>> e : liveInodes.entrySet()) {
            resolveNamespace(e.getKey(), namespaces.get(e.getKey()), e.getValue(), now);
        }
        Map<Long, Owner> result = new HashMap<>(known.size() * 2);
        for (Map.Entry<Long, Known> e : known.entrySet()) {
            result.put(e.getKey(), e.getValue().owner());
        }
        return Collections.unmodifiableMap(result);
    }

    /** The owner found for a socket inode, or null. */
    public Owner owner(long inode) {
        Known k = known.get(inode);
        return k == null ? null : k.owner();
    }

    /** Namespace fd scans run (each reads the fd links of every process in one namespace). */
    public long scans() {
        return scans;
    }

    /** fd links read, in scans and in confirming re-homed owners. */
    public long readlinks() {
        return readlinks;
    }

    /** Live inodes with no owner found. */
    public int unresolved() {
        return unresolved.size();
    }

    /** Sockets whose owner exited and that were handed to another recorded holder without a scan. */
    public long rehomed() {
        return rehomed;
    }

    /** Processes whose fd directory we were refused (we lack CAP_SYS_PTRACE over them). */
    public long deniedFdDirs() {
        return deniedFdDirs;
    }

    /** Inodes with a known owner. */
    public int knownInodes() {
        return known.size();
    }

    private void forgetDead(NamespaceSet namespaces, Map<Long, Set<Long>> liveInodes) {
        known.entrySet().removeIf(e -> !isLive(liveInodes, e.getValue().netns(), e.getKey()));
        unresolved.entrySet().removeIf(e -> !isLive(liveInodes, e.getValue().netns(), e.getKey()));
        fdRecords.keySet().retainAll(namespaces.allPids());
    }

    private static boolean isLive(Map<Long, Set<Long>> liveInodes, long netns, long inode) {
        Set<Long> inodes = liveInodes.get(netns);
        return inodes != null && inodes.contains(inode);
    }

    private void resolveNamespace(long netns, NetNamespace ns, Set<Long> inodes, Instant now) {
        Map<Integer, ProcessInfo> current = new HashMap<>();
        Set<Long> wanted = new HashSet<>();
        List<Long> ownerGone = new ArrayList<>();
        boolean retryDue = false;
        for (long inode : inodes) {
            if (inode == 0) {
                continue;
            }
            Known k = known.get(inode);
            if (k != null) {
                ProcessInfo still = ns == null ? null : alive(ns, k.owner().process(), current);
                if (still == null) {
                    known.remove(inode);
                    ownerGone.add(inode);
                } else if (still != k.owner().process()) {
                    // Same process, new name: it exec'd, keeping the socket.
                    known.put(inode, new Known(netns, new Owner(still, k.owner().fd())));
                }
                continue;
            }
            Unresolved u = unresolved.get(inode);
            if (u == null) {
                wanted.add(inode);
            } else if (!now.isBefore(u.searchedAt().plus(unresolvedRetry))) {
                retryDue = true;
            }
        }
        if (ns == null) {
            // No visible process left in the namespace: nobody to search.
            for (long inode : wanted) {
                unresolved.put(inode, new Unresolved(netns, now));
            }
            for (long inode : ownerGone) {
                unresolved.put(inode, new Unresolved(netns, now));
            }
            return;
        }
        if (!ownerGone.isEmpty()) {
            wanted.addAll(rehome(netns, ns, ownerGone));
        }
        if (wanted.isEmpty() && !retryDue) {
            return;
        }
        // A scan reads every link anyway, so every unresolved inode of the namespace rides along.
        for (Map.Entry<Long, Unresolved> e : unresolved.entrySet()) {
            if (e.getValue().netns() == netns) {
                wanted.add(e.getKey());
            }
        }
        Map<Long, Owner> found = scan(ns, wanted);
        for (long inode : wanted) {
            Owner owner = found.get(inode);
            if (owner != null) {
                known.put(inode, new Known(netns, owner));
                unresolved.remove(inode);
            } else {
                unresolved.put(inode, new Unresolved(netns, now));
            }
        }
    }

    /**
     * The owner's current info if it is still the same process (pid and start time) and still in the
     * namespace; null if it exited, is a zombie, or its pid was reused. Each pid is read once per poll.
     */
    private ProcessInfo alive(NetNamespace ns, ProcessInfo owner, Map<Integer, ProcessInfo> current) {
        int pid = owner.pid();
        if (!ns.contains(pid)) {
            return null;
        }
        ProcessInfo now;
        if (current.containsKey(pid)) {
            now = current.get(pid);
        } else {
            now = processes.get(pid);
            current.put(pid, now);
        }
        if (now == null || now.startTimeTicks() != owner.startTimeTicks()) {
            return null;
        }
        return now.equals(owner) ? owner : now;
    }

    /** A process and fd that the last scan saw holding a socket. */
    private record Holder(int pid, int fd, long startTime) {
    }

    /**
     * Hands each socket whose owner exited to the lowest-pid other recorded holder that still has it.
     *
     * @return the inodes that found no such holder
     */
    private List<Long> rehome(long netns, NetNamespace ns, List<Long> orphans) {
        Set<Long> wanted = new HashSet<>(orphans);
        Map<Long, List<Holder>> holders = new HashMap<>();
        for (int pid : ns.pids()) {
            PidSockets rec = fdRecords.get(pid);
            if (rec == null) {
                continue;
            }
            for (int i = 0; i < rec.inodes().length; i++) {
                if (wanted.contains(rec.inodes()[i])) {
                    holders.computeIfAbsent(rec.inodes()[i], k -> new ArrayList<>())
                            .add(new Holder(pid, rec.fds()[i], rec.process().startTimeTicks()));
                }
            }
        }
        List<Long> homeless = new ArrayList<>();
        for (long inode : orphans) {
            if (!rehomeOne(netns, inode, holders.getOrDefault(inode, List.of()))) {
                homeless.add(inode);
            }
        }
        return homeless;
    }

    private boolean rehomeOne(long netns, long inode, List<Holder> candidates) {
        for (Holder h : candidates) {
            ProcessInfo info = processes.get(h.pid());
            if (info == null || info.startTimeTicks() != h.startTime()) {
                continue;
            }
            // The record may be stale (fd numbers are reused): only a fresh readlink is trusted.
            if (socketInode(procfs.pid(h.pid(), "fd", Integer.toString(h.fd()))) == inode) {
                known.put(inode, new Known(netns, new Owner(info, h.fd())));
                rehomed++;
                return true;
            }
        }
        return false;
    }

    /** Reads the fd links of every process in the namespace, ascending by pid; records socket fds. */
    private Map<Long, Owner> scan(NetNamespace ns, Set<Long> wanted) {
        scans++;
        Map<Long, Owner> found = new HashMap<>();
        for (int pid : ns.pids()) {
            PidSockets sockets = readSockets(pid);
            if (sockets == null) {
                fdRecords.remove(pid);
                continue;
            }
            fdRecords.put(pid, sockets);
            for (int i = 0; i < sockets.inodes().length; i++) {
                long inode = sockets.inodes()[i];
                if (wanted.contains(inode) && !found.containsKey(inode)) {
                    found.put(inode, new Owner(sockets.process(), sockets.fds()[i]));
                }
            }
        }
        return found;
    }

    /**
     * The socket fds of one process, ascending, or null when it has none, has exited, or refuses us.
     */
    private PidSockets readSockets(int pid) {
        Path fdDir = procfs.pid(pid, "fd");
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fdDir)) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (NoSuchFileException gone) {
            return null;
        } catch (AccessDeniedException e) {
            deniedFdDirs++;
            return null;
        } catch (IOException | NumberFormatException e) {
            log.debug("cannot list {}: {}", fdDir, e.toString());
            return null;
        }
        Collections.sort(fds);
        int[] socketFds = new int[fds.size()];
        long[] inodes = new long[fds.size()];
        int n = 0;
        for (int fd : fds) {
            long inode = socketInode(fdDir.resolve(Integer.toString(fd)));
            if (inode >= 0) {
                socketFds[n] = fd;
                inodes[n] = inode;
                n++;
            }
        }
        if (n == 0) {
            return null;
        }
        ProcessInfo info = processes.get(pid);
        if (info == null) {
            return null;
        }
        return new PidSockets(info, Arrays.copyOf(socketFds, n), Arrays.copyOf(inodes, n));
    }

    /** The socket inode an fd link names; -1 for anything else or a link that is gone. */
    private long socketInode(Path fdLink) {
        readlinks++;
        try {
            return ProcLinks.inode(Files.readSymbolicLink(fdLink).toString(), "socket");
        } catch (IOException e) {
            return -1;
        }
    }

    int fdRecordCount() {
        return fdRecords.size();
    }
}
