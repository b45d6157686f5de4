package io.finwatch.collector.engine;

import io.finwatch.collector.procfs.ParseError;
import io.finwatch.collector.procfs.TcpTableParser;
import io.finwatch.collector.socket.SocketRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads one /proc/&lt;pid&gt;/net/tcp or tcp6 file into the parser.
 *
 * <p>Most of a poll's time is the kernel formatting the table inside read(2); large reads keep the number
 * of those calls (each re-walks part of the socket hash) low.
 */
final class TableReader {
    static final int CHUNK = 256 * 1024;

    private final byte[] buffer = new byte[CHUNK];

    /** Parses the whole file; returns the parser for its counts. */
    TcpTableParser read(Path file, long netns, int family, Consumer<SocketRow> rows, Consumer<ParseError> errors)
            throws IOException {
        TcpTableParser parser = new TcpTableParser(file.toString(), netns, family, rows, errors);
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer, 0, buffer.length)) > 0) {
                parser.feed(buffer, 0, n);
            }
        }
        parser.finish();
        return parser;
    }
}
