package io.finwatch.bench;

import io.finwatch.collector.kernel.Procfs;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU ticks of every thread of a process at one moment, from /proc/&lt;pid&gt;/task/&lt;tid&gt;/stat, named as
 * the kernel knows them (the JVM gives its threads' names to the OS, cut to 15 characters). The difference of two
 * snapshots says where a process's CPU went: poll, parse, publisher, GC, JIT compiler.
 */
final class ThreadCpu {
    record Task(int tid, String name, long userTicks, long systemTicks) {
    }

    /** CPU ticks of the threads of one name between two snapshots. */
    record Usage(String name, long userTicks, long systemTicks) {
        long ticks() {
            return userTicks + systemTicks;
        }
    }

    private final Map<Integer, Task> threads;

    private ThreadCpu(Map<Integer, Task> threads) {
        this.threads = threads;
    }

    static ThreadCpu of(Procfs procfs, int pid) throws IOException {
        Map<Integer, Task> threads = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(procfs.pid(pid, "task"))) {
            for (Path task : tasks) {
                int tid = Integer.parseInt(task.getFileName().toString());
                String stat = Procfs.readSmall(task.resolve("stat"));
                if (stat == null) {
                    continue; // the thread ended since the listing
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                long[] ticks = ProcessUsage.userSystemTicks(stat, tid);
                threads.put(tid, new Task(tid, name, ticks[0], ticks[1]));
            }
        } catch (NoSuchFileException gone) {
            throw new IOException("process " + pid + " exited", gone);
        }
        return new ThreadCpu(threads);
    }

    /**
     * Ticks per thread name from {@code earlier} to this snapshot, largest first; threads of the same name (GC
     * workers, compiler threads) are added up, and threads that ended in between are not counted.
     */
    List<Usage> since(ThreadCpu earlier) {
        Map<String, Usage> byName = new HashMap<>();
        for (Task now : threads.values()) {
            Task before = earlier.threads.get(now.tid());
            Usage delta = new Usage(now.name(), now.userTicks() - (before == null ? 0 : before.userTicks()),
                    now.systemTicks() - (before == null ? 0 : before.systemTicks()));
            byName.merge(now.name(), delta,
                    (a, b) -> new Usage(a.name(), a.userTicks() + b.userTicks(), a.systemTicks() + b.systemTicks()));
        }
        List<Usage> sorted = new ArrayList<>(byName.values());
        sorted.sort(Comparator.comparingLong(Usage::ticks).reversed());
        return sorted;
    }
}
