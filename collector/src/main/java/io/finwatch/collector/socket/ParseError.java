package io.finwatch.collector.socket;

/**
 * A line of a /proc table that could not be read. The rest of the table is still used; the error is
 * counted and reported so an operator can find the exact line.
 *
 * @param source     where the text came from, e.g. {@code /proc/1234/net/tcp6}
 * @param lineNumber 1-based line number within the source (the header is line 1)
 * @param reason     what is wrong, e.g. {@code state 0x1F is not a TCP state}
 * @param excerpt    the start of the offending line, with control and non-ASCII bytes escaped
 */
public record ParseError(String source, int lineNumber, String reason, String excerpt) {

    /** Longest excerpt kept: enough to recognise the line without copying a runaway one whole. */
    public static final int EXCERPT_LIMIT = 120;

    /** {@code source:line: reason}, the form compilers use, so editors and grep can jump to it. */
    public String message() {
        return source + ":" + lineNumber + ": " + reason;
    }

    @Override
    public String toString() {
        return message() + " in \"" + excerpt + "\"";
    }

    /** Printable text of the first bytes of a line; {@code \0}, {@code \xNN} for anything else. */
    public static String excerpt(byte[] buf, int off, int len) {
        int n = Math.min(len, EXCERPT_LIMIT);
        StringBuilder sb = new StringBuilder(n + 8);
        for (int i = 0; i < n; i++) {
            int b = buf[off + i] & 0xff;
            if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else if (b == 0) {
                sb.append("\\0");
            } else {
                sb.append("\\x").append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            }
        }
        if (len > n) {
            sb.append("...");
        }
        return sb.toString();
    }
}
