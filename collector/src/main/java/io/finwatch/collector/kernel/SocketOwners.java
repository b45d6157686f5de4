package io.finwatch.collector.kernel;

import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.Owner;
import io.finwatch.collector.track.ProcessInfo;
import io.finwatch.collector.track.SocketChange;
import io.finwatch.collector.kernel.InodeGroup.Holder;
import io.finwatch.collector.kernel.InodeGroup.Member;
import io.finwatch.collector.socket.SocketRow;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which process holds each socket: socket inode to {@link Owner}, found through the
 * {@code <procfs>/<pid>/fd/*} links that read {@code socket:[<inode>]}.
 *
 * <p>Reading every fd link of every process is the expensive part of socket ownership, and walking every
 * socket each poll is the next one at 200k sockets, so the work follows the changes. Each poll passes the
 * snapshot diff ({@link #update}); an inode is live from the FIRST_SEEN that shows it until its GONE, or
 * until the CHANGED that shows it orphaned (inode 0: no file refers to the socket any more).
 * <ul>
 *   <li>A known owner is kept while that process lives (same pid and start time, still in the namespace).
 *       This costs one small read of {@code <pid>/stat} per owning process per poll, nothing per socket
 *       and nothing under {@code fd/}. A new comm with the same start time means it exec'd: the sockets
 *       stay its own, under the new name.</li>
 *   <li>Only new inodes trigger a scan, one per namespace per poll, of only that namespace's processes.</li>
 *   <li>The sockets of an owner that died are reached through the owner, not by walking every socket.</li>
 * </ul>
 * A poll with no changes and no dead owner therefore reads nothing but the owners' stat files.
 *
 * <p><b>Why a scan still reads every link.</b> Nothing in /proc tells that a process's fd table changed,
 * and fd numbers are reused (close-then-accept lands on the same number), so what an earlier scan saw
 * cannot spare a readlink. It is used only where one readlink confirms it: each scan remembers the sockets
 * held by more than one fd; when a known owner exits while its socket lives on (a forked child inherited
 * it), those other holders are tried, lowest pid first, and the first whose fd still reads
 * {@code socket:[<inode>]} becomes the owner, with no scan.
 *
 * <p><b>Shared sockets.</b> When several processes hold a socket (fork without close), the owner is the
 * one with the lowest pid, lowest fd within it: usually the parent, and the same answer every time. The
 * owner is not re-examined while it lives, so a parent that closes its copy and leaves the child with it
 * stays the owner until it exits.
 *
 * <p><b>Unresolved inodes.</b> A socket no visible process in its namespace holds (kernel sockets; a
 * socket passed over a unix socket and still in flight; a holder we may not read, or one that setns'd
 * to another namespace after creating it) is searched again when its namespace is scanned anyway, and
 * otherwise no more often than {@code unresolvedRetry} after that namespace's last search.
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

    /** Every live socket inode, owned or not. The only structure with an entry per socket. */
    private final Map<Long, Member> live = new HashMap<>();
    /** Owned inodes per (owner, namespace): what the per-poll liveness check walks. */
    private final Map<Holding, InodeGroup> owned = new HashMap<>();
    /** Per namespace: the inodes nobody was found holding. Never holds an empty group. */
    private final Map<Long, InodeGroup> unresolved = new HashMap<>();
    /** Per namespace with unresolved inodes: when it was last searched. */
    private final Map<Long, Instant> searchedAt = new HashMap<>();
    private final Map<Long, Owner> view = new OwnerView();
    private boolean wholeTableNext;

    private long scans;
    private long readlinks;
    private long rehomed;
    private long deniedFdDirs;
    private long ownerChecks;

    /** An owning process in one namespace. */
    private record Holding(int pid, long startTimeTicks, long netns) {
    }

    /** The socket fds one process has, ascending by fd. */
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
     * Brings ownership up to date with one poll's changes. Every poll's changes must be passed, in order;
     * after a poll was skipped, or the previous table dropped, call {@link #resync()} first.
     *
     * <p>An inode enters on FIRST_SEEN with inode != 0 and leaves on GONE or on CHANGED to inode 0. The
     * changes are applied as a whole: a socket that leaves one key and enters another in the same poll
     * (its tuple's ordinals were renumbered) keeps its owner.
     *
     * @param namespaces this poll's namespaces, whose pids are searched
     * @param changes    this poll's {@link io.finwatch.collector.track.SnapshotDiff} of the socket tables
     */
    public void update(NamespaceSet namespaces, List<SocketChange> changes) {
        Map<Long, Long> entered = new HashMap<>();
        List<Long> left = new ArrayList<>();
        for (SocketChange c : changes) {
            SocketRow before = c.before();
            SocketRow after = c.after();
            switch (c.kind()) {
                case FIRST_SEEN -> {
                    if (after.inode() != 0) {
                        entered.put(after.inode(), after.key().netns());
                    }
                }
                case GONE -> {
                    if (before.inode() != 0) {
                        left.add(before.inode());
                    }
                }
                case CHANGED -> {
                    // Orphaned: the holder closed it, no fd names it any more.
                    if (before.inode() != 0 && after.inode() == 0) {
                        left.add(before.inode());
                    }
                }
            }
        }
        if (wholeTableNext) {
            wholeTableNext = false;
            forgetAllExcept(entered);
        }
        for (long inode : left) {
            if (!entered.containsKey(inode)) {
                forget(inode);
            }
        }
        track(namespaces, entered);
    }

    /**
     * Says that the next {@link #update} gets a whole table (every live socket FIRST_SEEN, nothing GONE),
     * as the engine reports after dropping its previous table. Inodes it does not list are forgotten; the
     * known owners of those it lists are kept, so this costs no scan of its own.
     */
    public void resync() {
        wholeTableNext = true;
    }

    /**
     * Brings ownership up to date from the whole set of live inodes. Costs a walk of every socket; the
     * poll loop uses {@link #update} instead.
     *
     * @param namespaces this poll's namespaces, whose pids are searched
     * @param liveInodes per namespace inode: the non-zero socket inodes in its tcp and tcp6 tables now;
     *                   a namespace absent here has no live sockets
     * @return the owner of every live inode that has one found (unmodifiable, not updated later)
     */
    public Map<Long, Owner> resolve(NamespaceSet namespaces, Map<Long, Set<Long>> liveInodes) {
        Map<Long, Long> now = new HashMap<>();
        for (Map.Entry<Long, Set<Long>> e : liveInodes.entrySet()) {
            for (long inode : e.getValue()) {
                if (inode != 0) {
                    now.put(inode, e.getKey());
                }
            }
        }
        wholeTableNext = false;
        forgetAllExcept(now);
        track(namespaces, now);
        return Map.copyOf(view);
    }

    /** The owner found for a socket inode, or null. */
    public Owner owner(long inode) {
        Member m = live.get(inode);
        if (m == null || m.group == null || m.group.process == null) {
            return null;
        }
        return new Owner(m.group.process, m.fd);
    }

    /**
     * Every known owner, inode to owner: a read-only view, not a copy, so it follows the next
     * {@link #update}. Lookups cost what {@link #owner} costs; iterating walks every live socket.
     */
    public Map<Long, Owner> asMap() {
        return view;
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
        int n = 0;
        for (InodeGroup g : unresolved.values()) {
            n += g.size();
        }
        return n;
    }

    /** Sockets whose owner exited and that were handed to another recorded holder without a scan. */
    public long rehomed() {
        return rehomed;
    }

    /** Processes whose fd directory we were refused (we lack CAP_SYS_PTRACE over them). */
    public long deniedFdDirs() {
        return deniedFdDirs;
    }

    /**
     * Process stat reads to check owners and, when one died, the holders its sockets may go to: at most one
     * per process per poll, however many sockets it holds.
     */
    public long ownerChecks() {
        return ownerChecks;
    }

    /** Inodes with a known owner. */
    public int knownInodes() {
        return live.size() - unresolved();
    }

    /** Forgets every live inode not in {@code keep} (inode to namespace) or listed under another namespace. */
    private void forgetAllExcept(Map<Long, Long> keep) {
        List<Long> gone = new ArrayList<>();
        for (Member m : live.values()) {
            Long netns = keep.get(m.inode);
            if (netns == null || netns != m.netns) {
                gone.add(m.inode);
            }
        }
        for (long inode : gone) {
            forget(inode);
        }
    }

    private void forget(long inode) {
        Member m = live.remove(inode);
        if (m == null) {
            return;
        }
        InodeGroup g = m.group;
        if (g != null) {
            g.remove(m);
            if (g.isEmpty()) {
                dropGroup(g);
            }
        }
    }

    private void dropGroup(InodeGroup g) {
        if (g.process == null) {
            unresolved.remove(g.netns);
            searchedAt.remove(g.netns);
        } else {
            owned.remove(new Holding(g.process.pid(), g.process.startTimeTicks(), g.netns));
        }
    }

    /**
     * Takes in the inodes of {@code present} (inode to namespace) not live yet, then checks the owners and
     * searches what needs it: new inodes, those whose owner died, and unresolved ones that are due.
     */
    private void track(NamespaceSet namespaces, Map<Long, Long> present) {
        Map<Long, List<Member>> toSearch = new HashMap<>();
        for (Map.Entry<Long, Long> e : present.entrySet()) {
            long inode = e.getKey();
            long netns = e.getValue();
            Member m = live.get(inode);
            if (m != null && m.netns == netns) {
                continue;
            }
            if (m != null) {
                forget(inode);
            }
            m = new Member(inode, netns);
            live.put(inode, m);
            toSearch.computeIfAbsent(netns, k -> new ArrayList<>()).add(m);
        }
        checkOwners(namespaces, toSearch);

        Instant now = clock.instant();
        for (Map.Entry<Long, Instant> e : searchedAt.entrySet()) {
            if (!now.isBefore(e.getValue().plus(unresolvedRetry))) {
                toSearch.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
            }
        }
        for (Map.Entry<Long, List<Member>> e : toSearch.entrySet()) {
            NetNamespace ns = namespaces.get(e.getKey());
            if (ns == null) {
                // No visible process left in the namespace: nobody to search.
                park(e.getKey(), e.getValue(), now, false);
            } else {
                search(ns, e.getValue(), now);
            }
        }
    }

    /**
     * Reads each owning process's stat once. The sockets of one that exited, was replaced under its pid,
     * or left the namespace go to the other holders the last scan saw, or else into {@code toSearch}.
     */
    private void checkOwners(NamespaceSet namespaces, Map<Long, List<Member>> toSearch) {
        // A process owning sockets in several namespaces has a group in each, and is still read once.
        Map<Integer, ProcessInfo> current = new HashMap<>();
        Map<Long, List<Member>> ownerGone = new HashMap<>();
        for (Iterator<Map.Entry<Holding, InodeGroup>> it = owned.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Holding, InodeGroup> e = it.next();
            Holding h = e.getKey();
            ProcessInfo info = process(h.pid(), current);
            NetNamespace ns = namespaces.get(h.netns());
            if (info != null && info.startTimeTicks() == h.startTimeTicks() && ns != null && ns.contains(h.pid())) {
                // The same process; a new comm means it exec'd, keeping its sockets.
                e.getValue().process = info;
                continue;
            }
            it.remove();
            ownerGone.computeIfAbsent(h.netns(), k -> new ArrayList<>()).addAll(e.getValue().removeAll());
        }
        for (Map.Entry<Long, List<Member>> e : ownerGone.entrySet()) {
            NetNamespace ns = namespaces.get(e.getKey());
            for (Member m : e.getValue()) {
                if (ns == null || !rehome(ns, m, current)) {
                    toSearch.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(m);
                }
            }
        }
    }

    /** The process now under {@code pid}, read once per poll however many sockets ask. */
    private ProcessInfo process(int pid, Map<Integer, ProcessInfo> current) {
        if (current.containsKey(pid)) {
            return current.get(pid);
        }
        ProcessInfo info = processes.get(pid);
        ownerChecks++;
        current.put(pid, info);
        return info;
    }

    /**
     * Hands a socket whose owner is gone to the lowest holder the last scan saw that still has it. That
     * holder is usually the owner that just died, which {@code current} already knows, so a socket that
     * scan saw held once costs no I/O here.
     */
    private boolean rehome(NetNamespace ns, Member m, Map<Integer, ProcessInfo> current) {
        if (m.firstHolder == null) {
            return false;
        }
        if (handTo(ns, m, m.firstHolder, m.firstHolderFd, current)) {
            return true;
        }
        if (m.otherHolders != null) {
            for (Holder h : m.otherHolders) {
                if (handTo(ns, m, h.process(), h.fd(), current)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean handTo(NetNamespace ns, Member m, ProcessInfo holder, int fd, Map<Integer, ProcessInfo> current) {
        int pid = holder.pid();
        if (!ns.contains(pid)) {
            return false;
        }
        ProcessInfo info = process(pid, current);
        if (info == null || info.startTimeTicks() != holder.startTimeTicks()) {
            return false;
        }
        // The record may be stale (fd numbers are reused): only a fresh readlink is trusted.
        if (socketInode(procfs.pid(pid, "fd", Integer.toString(fd))) != m.inode) {
            return false;
        }
        own(m, info, fd);
        rehomed++;
        return true;
    }

    /** Scans the namespace for {@code wanted} and every unresolved inode of it, which ride along for free. */
    private void search(NetNamespace ns, List<Member> wanted, Instant now) {
        InodeGroup pending = unresolved.remove(ns.inode());
        searchedAt.remove(ns.inode());
        List<Member> all = new ArrayList<>(wanted);
        if (pending != null) {
            all.addAll(pending.removeAll());
        }
        long scan = scan(ns);
        List<Member> notFound = new ArrayList<>();
        for (Member m : all) {
            if (m.seenByScan == scan) {
                own(m, m.firstHolder, m.firstHolderFd);
            } else {
                notFound.add(m);
            }
        }
        park(ns.inode(), notFound, now, true);
    }

    /**
     * Puts inodes into their namespace's unresolved group. {@code searched}: the namespace was searched
     * just now, which restarts its retry interval; otherwise an interval already running is kept.
     */
    private void park(long netns, List<Member> members, Instant now, boolean searched) {
        if (members.isEmpty()) {
            return;
        }
        InodeGroup g = unresolved.computeIfAbsent(netns, k -> new InodeGroup(k, null));
        for (Member m : members) {
            g.add(m, -1);
        }
        if (searched) {
            searchedAt.put(netns, now);
        } else {
            searchedAt.putIfAbsent(netns, now);
        }
    }

    /** {@code p} was read just now, so it is at least as fresh as the group's (a new comm after exec). */
    private void own(Member m, ProcessInfo p, int fd) {
        InodeGroup g = owned.computeIfAbsent(new Holding(p.pid(), p.startTimeTicks(), m.netns),
                k -> new InodeGroup(m.netns, p));
        g.process = p;
        g.add(m, fd);
    }

    /**
     * Reads the fd links of every process in the namespace, ascending by pid, and notes on each live inode
     * of the namespace who holds it. Sockets of other kinds (unix, udp) and of other namespaces cost only
     * the lookup.
     *
     * @return the scan's number: the members it saw have it as {@link Member#seenByScan}
     */
    private long scan(NetNamespace ns) {
        long scan = ++scans;
        for (int pid : ns.pids()) {
            PidSockets sockets = readSockets(pid);
            if (sockets == null) {
                continue;
            }
            for (int i = 0; i < sockets.inodes().length; i++) {
                Member m = live.get(sockets.inodes()[i]);
                if (m == null || m.netns != ns.inode()) {
                    continue;
                }
                if (m.seenByScan != scan) {
                    m.seenByScan = scan;
                    m.firstHolder = sockets.process();
                    m.firstHolderFd = sockets.fds()[i];
                    m.otherHolders = null;
                } else {
                    if (m.otherHolders == null) {
                        m.otherHolders = new ArrayList<>(2);
                    }
                    m.otherHolders.add(new Holder(sockets.process(), sockets.fds()[i]));
                }
            }
        }
        return scan;
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

    /** {@link #asMap()}: reads straight from the live inodes. */
    private final class OwnerView extends AbstractMap<Long, Owner> {
        @Override
        public Owner get(Object key) {
            return key instanceof Long inode ? owner(inode) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return knownInodes();
        }

        @Override
        public Set<Entry<Long, Owner>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<Long, Owner>> iterator() {
                    return live.values().stream()
                            .filter(m -> m.group != null && m.group.process != null)
                            .map(m -> (Entry<Long, Owner>) new SimpleImmutableEntry<>(m.inode,
                                    new Owner(m.group.process, m.fd)))
                            .iterator();
                }

                @Override
                public int size() {
                    return knownInodes();
                }
            };
        }
    }
}
