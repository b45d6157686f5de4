package io.finwatch.bench;

import io.finwatch.collector.kernel.Procfs;
import java.io.IOException;

/**
 * One process's CPU time so far and its resident memory now, as the kernel accounts them.
 *
 * @param cpuTicks user + system time of all its threads, in ticks of 1/{@link #USER_HZ} s
 * @param rssKiB   resident set size (VmRSS): heap actually touched, code, mapped queue files in memory
 * @param anonKiB  its anonymous part (RssAnon): what the process allocated (heap, metaspace, code cache, malloc),
 *                 without the jars, the JDK's files and the queue files it maps
 */
record ProcessUsage(long cpuTicks, long rssKiB, long anonKiB) {
    /** /proc reports CPU time in USER_HZ ticks, which is 100 on every Linux architecture but alpha. */
    static final int USER_HZ = 100;

    /** @throws IOException also when the process has exited: a measurement of it cannot go on */
    static ProcessUsage of(Procfs procfs, int pid) throws IOException {
        String stat = Procfs.readSmall(procfs.pid(pid, "stat"));
        String status = Procfs.readSmall(procfs.pid(pid, "status"));
        if (stat == null || status == null) {
            throw new IOException("process " + pid + " exited");
        }
        return new ProcessUsage(cpuTicks(stat, pid), kiB(status, "VmRSS:", pid), kiB(status, "RssAnon:", pid));
    }

    double cpuSeconds() {
        return (double) cpuTicks / USER_HZ;
    }

    static long cpuTicks(String stat, int pid) throws IOException {
        long[] t = userSystemTicks(stat, pid);
        return t[0] + t[1];
    }

    /**
     * utime and stime, fields 14 and 15 of a stat line; the command name before them may hold spaces and
     * parentheses, so fields are counted from its closing parenthesis.
     */
    static long[] userSystemTicks(String stat, int pid) throws IOException {
        int afterName = stat.lastIndexOf(')');
        String[] fields = afterName < 0 ? new String[0] : stat.substring(afterName + 2).split(" ");
        if (fields.length < 13) {
            throw new IOException("/proc/" + pid + "/stat has no utime and stime: " + stat);
        }
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }

    static long kiB(String status, String field, int pid) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
            }
        }
        throw new IOException("/proc/" + pid + "/status has no " + field + " line (a kernel thread or a zombie?)");
    }
}
