package io.finwatch.collector.track;

import io.finwatch.collector.track.InodeGroup.Holder;
import io.finwatch.collector.track.InodeGroup.Member;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Which process holds each socket: socket inode to {@link Owner}, found through the fd links that read
 * {@code socket:[<inode>]}, which it reads through a {@link ProcessPort}.
 *
 * <p>Reading every fd link of every process is the expensive part of socket ownership, and walking every
 * socket each poll is the next one at 200k sockets, so the work follows the changes. Each poll passes its
 * changes ({@link #update}); an inode is live from the FIRST_SEEN that shows it until its GONE, or until the
 * CHANGED that shows it orphaned (inode 0: no file refers to the socket any more).
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
public final class OwnerIndex {
    public static final Duration DEFAULT_UNRESOLVED_RETRY = Duration.ofSeconds(30);

    private final ProcessTable processes;
    private final FdScanner fds;
    private final UnresolvedInodes unresolved;
    private final Clock clock;

    /** Every live socket inode, owned or not. The only structure with an entry per socket. */
    private final InodeMembers live = new InodeMembers();
    /** Owned inodes per (owner, namespace): what the per-poll liveness check walks. */
    private final Map<Holding, InodeGroup> owned = new HashMap<>();
    private boolean wholeTableNext;

    private long rehomed;
    private long ownerChecks;

    /** An owning process in one namespace. */
    private record Holding(int pid, long startTimeTicks, long netns) {
    }

    /**
     * @param processes the table the owners' identities come from, reading through the same host as {@code port}
     */
    public OwnerIndex(ProcessPort port, ProcessTable processes, Clock clock, Duration unresolvedRetry) {
        this.processes = processes;
        this.fds = new FdScanner(port, processes);
        this.unresolved = new UnresolvedInodes(unresolvedRetry);
        this.clock = clock;
    }

    /**
     * Brings ownership up to date with one poll's changes. Every poll's changes must be passed, in order;
     * after a poll was skipped, or the previous table dropped, call {@link #resync()} first.
     *
     * <p>Inodes enter and leave as {@link InodeChanges} says. The changes are applied as a whole: a socket
     * that leaves one key and enters another in the same poll (its tuple's ordinals were renumbered) keeps
     * its owner.
     *
     * @param namespaces this poll's namespaces, whose pids are searched
     * @param changes    this poll's changes of the socket tables
     */
    public void update(NamespaceSet namespaces, List<SocketChange> changes) {
        InodeChanges inodes = InodeChanges.of(changes);
        Map<Long, Long> entered = inodes.entered();
        if (wholeTableNext) {
            wholeTableNext = false;
            forgetAllExcept(entered);
        }
        for (long inode : inodes.left()) {
            if (!entered.containsKey(inode)) {
                forget(inode);
            }
        }
        track(namespaces, entered);
    }

    /**
     * Says that the next {@link #update} gets a whole table (every live socket FIRST_SEEN, nothing GONE),
     * as the diff reports after its previous table was dropped. Inodes it does not list are forgotten; the
     * known owners of those it lists are kept, so this costs no scan of its own.
     */
    public void resync() {
        wholeTableNext = true;
    }

    /** The owner found for a socket inode, or null. */
    public Owner owner(long inode) {
        Member m = live.get(inode);
        if (m == null || m.group == null || m.group.process == null) {
            return null;
        }
        return new Owner(m.group.process, m.fd);
    }

    /** Namespace fd scans run (each reads the fd links of every process in one namespace). */
    public long scans() {
        return fds.scans();
    }

    /** fd links read, in scans and in confirming re-homed owners. */
    public long readlinks() {
        return fds.readlinks();
    }

    /** Live inodes with no owner found. */
    public int unresolved() {
        return unresolved.size();
    }

    /** Sockets whose owner exited and that were handed to another recorded holder without a scan. */
    public long rehomed() {
        return rehomed;
    }

    /**
     * Processes whose fd directory we were refused: it is mode 0500, owned by the process's user, and we lack
     * CAP_DAC_READ_SEARCH (or an LSM refuses). Processes we may not ptrace are not in a namespace at all
     * ({@link NamespaceSet#deniedPids()}).
     */
    public long deniedFdDirs() {
        return fds.deniedFdDirs();
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
        List<Member> gone = new ArrayList<>();
        live.forEach(m -> {
            Long netns = keep.get(m.inode);
            if (netns == null || netns != m.netns) {
                gone.add(m);
            }
        });
        for (Member m : gone) {
            forget(m.inode);
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
            unresolved.dropped(g);
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
            live.put(m);
            toSearch.computeIfAbsent(netns, k -> new ArrayList<>()).add(m);
        }
        checkOwners(namespaces, toSearch);

        Instant now = clock.instant();
        for (long netns : unresolved.due(now)) {
            toSearch.computeIfAbsent(netns, k -> new ArrayList<>());
        }
        for (Map.Entry<Long, List<Member>> e : toSearch.entrySet()) {
            NetNamespace ns = namespaces.get(e.getKey());
            if (ns == null) {
                // No visible process left in the namespace: nobody to search.
                unresolved.park(e.getKey(), e.getValue(), now, false);
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
        if (!fds.stillHolds(pid, fd, m.inode)) {
            return false;
        }
        own(m, info, fd);
        rehomed++;
        return true;
    }

    /** Scans the namespace for {@code wanted} and every unresolved inode of it, which ride along for free. */
    private void search(NetNamespace ns, List<Member> wanted, Instant now) {
        List<Member> all = new ArrayList<>(wanted);
        all.addAll(unresolved.take(ns.inode()));
        long scan = fds.scan(ns, live);
        List<Member> notFound = new ArrayList<>();
        for (Member m : all) {
            if (m.seenByScan == scan) {
                own(m, m.firstHolder, m.firstHolderFd);
            } else {
                notFound.add(m);
            }
        }
        unresolved.park(ns.inode(), notFound, now, true);
    }


    /** {@code p} was read just now, so it is at least as fresh as the group's (a new comm after exec). */
    private void own(Member m, ProcessInfo p, int fd) {
        InodeGroup g = owned.computeIfAbsent(new Holding(p.pid(), p.startTimeTicks(), m.netns),
                k -> new InodeGroup(m.netns, p));
        g.process = p;
        g.add(m, fd);
    }
}
