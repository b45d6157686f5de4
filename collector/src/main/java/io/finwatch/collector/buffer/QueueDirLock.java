package io.finwatch.collector.buffer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One collector per queue directory. Chronicle's own write lock is force-released when its holder's PID is dead,
 * which is right after a crash but corrupts the queue if a second live collector shares the directory; an OS file
 * lock cannot go stale (the kernel drops it with the process), so it tells the two cases apart.
 */
final class QueueDirLock implements AutoCloseable {
    static final String FILE_NAME = "finwatch.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private QueueDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static QueueDirLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IllegalStateException("buffer directory " + dir + " is in use by another live process ("
                    + file + " is locked); each collector needs its own --buffer-dir");
        }
        return new QueueDirLock(ch, l);
    }

    /** Releases the lock after a failed open; the failure that led here is what the caller reports. */
    void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // The kernel drops the lock with the process anyway.
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
