package io.finwatch.collector.kernel;

import io.finwatch.collector.socket.ParseError;
import io.finwatch.collector.socket.SocketRow;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Push parser for the kernel's {@code /proc/<pid>/net/tcp} and {@code tcp6} tables.
 *
 * <p>Bytes arrive through {@link #feed} in chunks of any size (a line may span chunks), so one thread can
 * read /proc while another parses; the parser itself is not thread-safe: hand it from thread to thread with
 * a happens-before edge (a BlockingQueue does). It keeps no reference to a fed buffer after {@code feed}
 * returns. At 200k sockets reading the file is
 * ~350 ms of kernel time, and parsing must stay a small fraction of that: lines are decoded from the bytes
 * in place, and only a line that spans two chunks is copied.
 *
 * <p>Every complete data line yields one {@link SocketRow} (ordinal 0; {@code SocketTable} numbers
 * duplicates) or one {@link ParseError}, after which parsing goes on with the next line. Bad content never
 * throws.
 */
public final class TcpTableParser {
    /** Longest line accepted. The kernel's are about 150 (tcp) and 180 (tcp6) bytes. */
    public static final int MAX_LINE = 512;
    private static final int READ_BUFFER = 128 * 1024;
    /** Reads 8 bytes of a line at once, lowest address in the lowest bits. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] HEADER_START = "sl  local_address".getBytes(StandardCharsets.US_ASCII);

    private final String source;
    private final Consumer<SocketRow> rowSink;
    private final Consumer<ParseError> errorSink;
    private final TcpLineDecoder decoder;

    /** The start of a line that did not end in the previous chunk. */
    private final byte[] carry = new byte[MAX_LINE];
    private int carryLength;
    /** 1-based column of the first NUL byte seen in the current line, or 0. */
    private int nulColumn;
    /** The current line is too long and was reported; its bytes are dropped up to the next newline. */
    private boolean skippingLine;
    private boolean finished;

    private int lines;
    private int rows;
    private int errorCount;

    /** A parser for a table read from this host's kernel, which prints addresses in native byte order. */
    public TcpTableParser(String source, long netns, int family, Consumer<SocketRow> rows,
                          Consumer<ParseError> errors) {
        this(source, netns, family, ByteOrder.nativeOrder(), rows, errors);
    }

    /**
     * @param source    names the table in errors, e.g. {@code /proc/1234/net/tcp6}
     * @param netns     inode of the network namespace the table belongs to; goes into every key
     * @param family    4 for {@code net/tcp}, 6 for {@code net/tcp6}
     * @param hostOrder byte order of the kernel that wrote the table (tables recorded on another machine)
     */
    public TcpTableParser(String source, long netns, int family, ByteOrder hostOrder, Consumer<SocketRow> rows,
                          Consumer<ParseError> errors) {
        if (family != 4 && family != 6) {
            throw new IllegalArgumentException("family must be 4 or 6, not " + family);
        }
        this.source = Objects.requireNonNull(source, "source");
        this.rowSink = Objects.requireNonNull(rows, "rows");
        this.errorSink = Objects.requireNonNull(errors, "errors");
        this.decoder = new TcpLineDecoder(netns, family, Objects.requireNonNull(hostOrder, "hostOrder"));
    }

    /** Reads {@code in} to its end and parses it; the stream is not closed. */
    public static TcpTableParser parse(InputStream in, String source, long netns, int family,
                                       Consumer<SocketRow> rows, Consumer<ParseError> errors) throws IOException {
        TcpTableParser parser = new TcpTableParser(source, netns, family, rows, errors);
        byte[] buf = new byte[READ_BUFFER];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            parser.feed(buf, 0, n);
        }
        parser.finish();
        return parser;
    }

    /** Parses every line that ends within this chunk and keeps the unfinished rest for the next call. */
    public void feed(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (finished) {
            throw new IllegalStateException("feed after finish: " + source);
        }
        int end = off + len;
        int lineStart = off;
        int i = off;
        while (i < end) {
            // Skip 8 bytes at a time while none is below 0x0B: '\n' and NUL are the only bytes that matter here.
            if (end - i >= Long.BYTES) {
                long word = (long) LONGS.get(buf, i);
                long low = (word - 0x0B0B_0B0B_0B0B_0B0BL) & ~word & 0x8080_8080_8080_8080L;
                if (low == 0) {
                    i += Long.BYTES;
                    continue;
                }
                // The lowest flagged byte is a real one (a false flag can only follow a real one).
                i += Long.numberOfTrailingZeros(low) >>> 3;
            }
            byte b = buf[i];
            if (b == '\n') {
                endLine(buf, lineStart, i, true);
                lineStart = ++i;
                continue;
            }
            if (b == 0 && nulColumn == 0) {
                nulColumn = carryLength + (i - lineStart) + 1;
            }
            i++;
        }
        keep(buf, lineStart, end);
    }

    /** Ends the input. A last line without a newline is parsed when complete and reported when cut. */
    public void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (carryLength > 0 || skippingLine || nulColumn > 0) {
            endLine(carry, 0, 0, false);
        }
    }

    /** Lines seen so far, header and bad lines included. */
    public int lines() {
        return lines;
    }

    /** Rows produced so far. */
    public int rows() {
        return rows;
    }

    /** Lines rejected so far. */
    public int errorCount() {
        return errorCount;
    }

    public String source() {
        return source;
    }

    /** Saves the unfinished tail of a chunk; a line that outgrows {@link #MAX_LINE} is reported once. */
    private void keep(byte[] buf, int from, int to) {
        int n = to - from;
        if (n == 0 || skippingLine) {
            return;
        }
        if (carryLength + n > MAX_LINE) {
            reportOverlong(buf, from, to);
            return;
        }
        System.arraycopy(buf, from, carry, carryLength, n);
        carryLength += n;
    }

    /** {@code buf[from, to)} is the end of the current line (its start may be in {@link #carry}). */
    private void endLine(byte[] buf, int from, int to, boolean terminated) {
        if (!skippingLine) {
            if (carryLength > 0) {
                keep(buf, from, to);
                if (!skippingLine) {
                    line(carry, 0, carryLength, terminated);
                }
            } else if (to - from > MAX_LINE) {
                reportOverlong(buf, from, to);
            } else {
                line(buf, from, to, terminated);
            }
        }
        lines++;
        carryLength = 0;
        nulColumn = 0;
        skippingLine = false;
    }

    private void line(byte[] buf, int from, int to, boolean terminated) {
        int lineNumber = lines + 1;
        if (nulColumn > 0) {
            error(lineNumber, "NUL byte at column " + nulColumn, buf, from, to);
            return;
        }
        if (lineNumber == 1 && isHeader(buf, from, to)) {
            return;
        }
        SocketRow row;
        try {
            row = decoder.decode(buf, from, to, terminated);
        } catch (TcpLineDecoder.MalformedLine e) {
            String reason = !terminated && e.endedEarly()
                    ? "input cut short, the last line has no newline: " + e.getMessage()
                    : e.getMessage();
            error(lineNumber, reason, buf, from, to);
            return;
        }
        rows++;
        rowSink.accept(row);
    }

    private void reportOverlong(byte[] buf, int from, int to) {
        byte[] start = new byte[Math.min(ParseError.EXCERPT_LIMIT + 1, carryLength + (to - from))];
        int fromCarry = Math.min(carryLength, start.length);
        System.arraycopy(carry, 0, start, 0, fromCarry);
        System.arraycopy(buf, from, start, fromCarry, start.length - fromCarry);
        error(lines + 1, "line is longer than " + MAX_LINE + " bytes", start, 0, start.length);
        carryLength = 0;
        skippingLine = true;
    }

    private void error(int lineNumber, String reason, byte[] buf, int from, int to) {
        errorCount++;
        errorSink.accept(new ParseError(source, lineNumber, reason, ParseError.excerpt(buf, from, to - from)));
    }

    /** The column header the kernel prints first; recognised, so a table that lacks it loses no row. */
    private static boolean isHeader(byte[] buf, int from, int to) {
        int i = from;
        while (i < to && buf[i] == ' ') {
            i++;
        }
        if (to - i < HEADER_START.length) {
            return false;
        }
        for (byte h : HEADER_START) {
            if (buf[i++] != h) {
                return false;
            }
        }
        return true;
    }
}
