package io.finwatch.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The directory {@code ./finwatch local} keeps everything in, so that a restart resumes: the broker's log
 * (topics, offsets, the cluster id), the collector's buffer (its sequence numbers) and the detector's state.
 *
 * <p>Two instances on one home would share a broker log and a Chronicle queue and corrupt both; an exclusive
 * lock on {@code home/.lock} refuses the second. The kernel drops the lock when the process dies, even on
 * kill -9, so a stale lock never needs cleaning up.
 */
final class FinwatchHome implements AutoCloseable {
    private final Path root;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private FinwatchHome(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and takes its lock.
     *
     * @throws IllegalStateException naming the home and the holder's pid when another instance holds the lock
     */
    static FinwatchHome open(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        Files.createDirectories(root);
        Path lockFile = root.resolve(".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException sameJvm) {
            lock = null;
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.UTF_8).trim();
            ch.close();
            throw new IllegalStateException("another finwatch local is already running on " + root
                    + (holder.isEmpty() ? "" : " (pid " + holder + ")")
                    + "; stop it first, or give this one its own directory with --home");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new FinwatchHome(root, ch, lock);
    }

    Path root() {
        return root;
    }

    /** The broker's log and metadata directory. */
    Path kafka() {
        return root.resolve("kafka");
    }

    /** The collector's Chronicle queue. */
    Path buffer() {
        return root.resolve("buffer");
    }

    /** Kafka Streams' state directory (RocksDB). */
    Path streams() {
        return root.resolve("streams");
    }

    Path logs() {
        return root.resolve("logs");
    }

    @Override
    public void close() throws IOException {
        lock.release();
        lockChannel.close();
    }
}
