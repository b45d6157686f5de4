package io.finwatch.collector.kernel;

import io.finwatch.collector.track.ProcessInfo;
import io.finwatch.collector.track.ProcessPort;
import io.finwatch.collector.track.ProcessStat;
import io.finwatch.collector.track.SocketFds;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A process's files under the procfs root: {@code stat}, {@code status} and {@code cgroup} for who it is,
 * {@code fd/} for the sockets it holds. Keeps nothing between calls.
 *
 * <p>The comm is taken from stat (the kernel prints the same field as in {@code <pid>/comm}), read in the same
 * instant as the start time, so the two always belong to the same process.
 */
public final class ProcessFiles implements ProcessPort {
    /** Field 22 of stat; fields after the comm's closing parenthesis start at 3. */
    private static final int START_TIME_AFTER_COMM = 22 - 3;

    private final Procfs procfs;

    public ProcessFiles(Procfs procfs) {
        this.procfs = procfs;
    }

    @Override
    public ProcessStat stat(int pid) throws IOException {
        Path file = procfs.pid(pid, "stat");
        String text = Procfs.readSmall(file);
        return text == null ? null : parseStat(text, file);
    }

    @Override
    public ProcessInfo describe(int pid, ProcessStat stat) throws IOException {
        Path statusFile = procfs.pid(pid, "status");
        String status = Procfs.readSmall(statusFile);
        if (status == null) {
            return null;
        }
        int uid = parseEffectiveUid(status, statusFile);
        String cgroup = Procfs.readSmall(procfs.pid(pid, "cgroup"));
        return new ProcessInfo(pid, stat.startTime(), stat.comm(), uid, CgroupContainerId.parse(cgroup),
                CgroupPodUid.parse(cgroup));
    }

    @Override
    public SocketFds socketFds(int pid) throws IOException {
        Path fdDir = procfs.pid(pid, "fd");
        List<Integer> fds = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fdDir)) {
            for (Path p : dir) {
                fds.add(Integer.parseInt(p.getFileName().toString()));
            }
        } catch (NoSuchFileException gone) {
            return null;
        } catch (NumberFormatException e) {
            throw new IOException(fdDir + ": an entry that is not a descriptor number: " + e.getMessage());
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
        return new SocketFds(Arrays.copyOf(socketFds, n), Arrays.copyOf(inodes, n), fds.size());
    }

    @Override
    public long socketInode(int pid, int fd) {
        return socketInode(procfs.pid(pid, "fd", Integer.toString(fd)));
    }

    /** The socket inode an fd link names; -1 for anything else or a link that is gone. */
    private static long socketInode(Path fdLink) {
        try {
            return ProcLinks.inode(Files.readSymbolicLink(fdLink).toString(), "socket");
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Field 2 (comm) and field 22 (starttime) of a {@code /proc/<pid>/stat} line. The comm may hold
     * spaces and parentheses, so it runs from the first '(' to the last ')' and fields are counted from
     * there.
     */
    static ProcessStat parseStat(String stat, Path source) throws MalformedFile {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
            throw malformed(source, "no (comm)", stat);
        }
        String comm = stat.substring(open + 1, close);
        String[] fields = stat.substring(close + 1).strip().split(" ");
        if (fields.length <= START_TIME_AFTER_COMM) {
            throw malformed(source, "fewer than 22 fields", stat);
        }
        try {
            return new ProcessStat(comm, Long.parseLong(fields[START_TIME_AFTER_COMM]));
        } catch (NumberFormatException e) {
            throw malformed(source, "field 22 is not a number", stat);
        }
    }

    /** The effective uid: second of the four ids (real, effective, saved, filesystem) on the Uid: line. */
    static int parseEffectiveUid(String status, Path source) throws MalformedFile {
        for (String line : status.split("\n")) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).strip().split("\\s+");
                try {
                    if (ids.length >= 2) {
                        return Integer.parseUnsignedInt(ids[1]);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw malformed(source, "Uid: line without an effective uid", line);
            }
        }
        throw malformed(source, "no Uid: line", status);
    }

    /** {@code <file>: <problem>: '<the content, cut at 200 characters>'}. */
    private static MalformedFile malformed(Path source, String problem, String content) {
        String line = content.strip();
        String shown = line.length() <= 200 ? line : line.substring(0, 200) + "...";
        return new MalformedFile(source + ": " + problem + ": '" + shown + "'");
    }
}
