package io.finwatch.collector.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place that turns /proc paths into files under the configured procfs root
 * ({@code --path.procfs}; {@code /host/proc} in a container that mounts the host's /proc there).
 */
public final class Procfs {
    private final Path root;

    public Procfs(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public static Procfs system() {
        return new Procfs(Path.of("/proc"));
    }

    public Path root() {
        return root;
    }

    /** {@code <root>/<pid>/<parts...>}. */
    public Path pid(int pid, String... parts) {
        Path p = root.resolve(Integer.toString(pid));
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    /** {@code <root>/self/<parts...>}: the collector's own process. */
    public Path self(String... parts) {
        Path p = root.resolve("self");
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    /** {@code <root>/sys/<dotted key as path>}, e.g. {@code net.ipv4.tcp_fin_timeout}. */
    public Path sysctl(String dottedKey) {
        return root.resolve("sys").resolve(dottedKey.replace('.', '/'));
    }

    /** Any other path under the root, e.g. {@code "net/tcp"}. */
    public Path path(String relative) {
        return root.resolve(relative);
    }

    /** The numeric entries of the root: every process visible in this procfs. */
    public List<Integer> pids() throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
            for (Path p : dir) {
                int pid = parsePid(p.getFileName().toString());
                if (pid > 0) {
                    pids.add(pid);
                }
            }
        }
        return pids;
    }

    /**
     * Reads a small /proc file whole. {@code Files.readString} stops short on /proc/sys files
     * (it trusts the reported size), so this reads the stream to its end.
     *
     * @return the content, or null when the file is gone (the process exited)
     */
    public static String readSmall(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (NoSuchFileException gone) {
            return null;
        }
    }

    private static int parsePid(String name) {
        if (name.isEmpty() || name.length() > 10) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
