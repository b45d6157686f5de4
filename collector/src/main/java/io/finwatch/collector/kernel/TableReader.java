package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketRow;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads /proc/&lt;pid&gt;/net/tcp or tcp6 on the polling thread while a second thread parses what was read.
 *
 * <p>Most of a poll is the kernel formatting the table inside read(2); parsing the previous chunk meanwhile
 * hides the parse behind that system time, so a poll costs about what reading the file costs. Large reads keep
 * the number of read(2) calls, each of which re-walks part of the socket hash, low.
 *
 * <p>The rows consumer runs on the parse thread, one file at a time; {@link #read} returns after the last row
 * was delivered, so the caller sees every row once it returns.
 */
final class TableReader implements AutoCloseable {
    static final int CHUNK = 256 * 1024;
    private static final int BUFFERS = 3;

    private record Chunk(byte[] bytes, int length) {
    }

    private static final Chunk END = new Chunk(new byte[0], 0);

    private final ExecutorService parseThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "finwatch-parse");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);

    TableReader() {
        for (int i = 0; i < BUFFERS; i++) {
            free.add(new byte[CHUNK]);
        }
    }

    /** Parses the whole file; returns the finished parser for its counts. */
    TcpTableParser read(Path file, long netns, int family, Consumer<SocketRow> rows, Consumer<ParseError> errors)
            throws IOException {
        TcpTableParser parser = new TcpTableParser(file.toString(), netns, family, rows, errors);
        try (InputStream in = Files.newInputStream(file)) {
            BlockingQueue<Chunk> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
            Future<?> parsing = parseThread.submit(() -> {
                try {
                    for (Chunk c = filled.take(); c != END; c = filled.take()) {
                        parser.feed(c.bytes(), 0, c.length());
                        free.add(c.bytes());
                    }
                    parser.finish();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            try {
                pump(in, filled, parsing);
            } finally {
                filled.add(END);
                await(parsing, file);
            }
        }
        return parser;
    }

    private void pump(InputStream in, BlockingQueue<Chunk> filled, Future<?> parsing) throws IOException {
        try {
            while (true) {
                byte[] b = free.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    if (parsing.isDone()) {
                        return; // the parse side failed; await() reports why
                    }
                    continue;
                }
                int n = in.read(b, 0, b.length);
                if (n <= 0) {
                    free.add(b);
                    return;
                }
                filled.add(new Chunk(b, n));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading");
        }
    }

    private void await(Future<?> parsing, Path file) throws IOException {
        try {
            parsing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while parsing " + file);
        } catch (ExecutionException e) {
            throw new IOException("parsing " + file + " failed", e.getCause());
        } finally {
            // Buffers the failed parse side never returned.
            while (free.size() < BUFFERS) {
                free.add(new byte[CHUNK]);
            }
        }
    }

    @Override
    public void close() {
        parseThread.shutdownNow();
    }
}
