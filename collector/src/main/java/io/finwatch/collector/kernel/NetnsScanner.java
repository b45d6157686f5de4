package io.finwatch.collector.kernel;

import io.finwatch.collector.track.NamespaceSet;
import io.finwatch.collector.track.NetNamespace;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every network namespace that has a visible process, by reading {@code <procfs>/<pid>/ns/net}
 * of each pid, and picks one process per namespace to read the namespace through.
 *
 * <p>The representative is kept from the previous scan while it stays in its namespace, so consumers that
 * key work by it (an open {@code <pid>/net/tcp}, a cached setns) are not churned; a new one is the
 * lowest pid, which tends to be the namespace's oldest and longest-lived process. The caller keeps the
 * previous scan ({@code track/HostState} does); the scanner keeps nothing.
 */
public final class NetnsScanner {
    private static final Logger log = LoggerFactory.getLogger(NetnsScanner.class);

    private final Procfs procfs;
    private final NetnsSelection selection;
    private boolean hostUnknownLogged;

    public NetnsScanner(Procfs procfs) {
        this(procfs, NetnsSelection.all());
    }

    /** A scanner that keeps only the namespaces {@code selection} watches, and takes its host namespace. */
    public NetnsScanner(Procfs procfs, NetnsSelection selection) {
        this.procfs = procfs;
        this.selection = selection;
    }

    /** Scans all processes once, with nothing to keep representatives from. */
    public NamespaceSet scan() throws IOException {
        return scan(NamespaceSet.empty());
    }

    /**
     * Scans all processes once.
     *
     * @param previous the scan before, whose representatives are kept where they are still in their namespace
     * @throws IOException only when the procfs root itself cannot be listed; per-process failures are
     *                     counted in the result
     */
    public NamespaceSet scan(NamespaceSet previous) throws IOException {
        List<Integer> all = procfs.pids();
        Collections.sort(all);
        Map<Long, List<Integer>> groups = new HashMap<>();
        int vanished = 0;
        int denied = 0;
        int failed = 0;
        long pid1Netns = 0;
        for (int pid : all) {
            Path link = procfs.pid(pid, "ns", "net");
            long netns;
            try {
                netns = readNetns(link);
            } catch (NoSuchFileException gone) {
                // Exited since the listing, or a zombie: its namespaces are already released.
                vanished++;
                continue;
            } catch (AccessDeniedException e) {
                denied++;
                continue;
            } catch (IOException e) {
                failed++;
                log.debug("cannot read {}: {}", link, e.toString());
                continue;
            }
            groups.computeIfAbsent(netns, k -> new ArrayList<>()).add(pid);
            if (pid == 1) {
                pid1Netns = netns;
            }
        }
        if (selection.filters()) {
            groups.keySet().retainAll(selection.resolve());
        }
        Map<Long, NetNamespace> byInode = new HashMap<>();
        for (Map.Entry<Long, List<Integer>> g : groups.entrySet()) {
            List<Integer> pids = g.getValue();
            NetNamespace before = previous.get(g.getKey());
            int representative = before != null && Collections.binarySearch(pids, before.representativePid()) >= 0
                    ? before.representativePid()
                    : pids.get(0);
            byInode.put(g.getKey(), new NetNamespace(g.getKey(), representative, pids));
        }
        long chosen = selection.hostInode();
        long host = chosen != 0 ? chosen : pid1Netns != 0 ? pid1Netns : selfNetns();
        return new NamespaceSet(byInode, host, vanished, denied, failed);
    }

    private long selfNetns() {
        Path link = procfs.self("ns", "net");
        try {
            return readNetns(link);
        } catch (IOException e) {
            if (hostUnknownLogged) {
                return 0;
            }
            hostUnknownLogged = true;
            log.warn("cannot tell the host network namespace: neither {} nor {} is readable ({})",
                    procfs.pid(1, "ns", "net"), link, e.toString());
            return 0;
        }
    }

    /** The namespace inode a {@code ns/net} link names. */
    static long readNetns(Path link) throws IOException {
        String target = Files.readSymbolicLink(link).toString();
        long inode = ProcLinks.inode(target, "net");
        if (inode < 0) {
            throw new IOException(link + ": expected a link to net:[<inode>], found '" + target + "'");
        }
        return inode;
    }
}
