package io.finwatch.collector.kernel;

/**
 * Targets of the anonymous-inode symlinks in /proc: {@code <pid>/ns/net} reads {@code net:[4026531840]},
 * a socket fd reads {@code socket:[123456]}. The number is the inode, which names the object host-wide.
 */
final class ProcLinks {
    private ProcLinks() {
    }

    /**
     * The inode of a link target of the form {@code <kind>:[<decimal>]}.
     *
     * @return the inode, or -1 when the target is of another kind (a file, a pipe) or not of that form
     */
    static long inode(String target, String kind) {
        int n = kind.length();
        if (target.length() < n + 4 || !target.startsWith(kind) || target.charAt(n) != ':'
                || target.charAt(n + 1) != '[' || target.charAt(target.length() - 1) != ']') {
            return -1;
        }
        long v = 0;
        int end = target.length() - 1;
        if (end - (n + 2) > 19) {
            return -1;
        }
        for (int i = n + 2; i < end; i++) {
            char c = target.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
            if (v < 0) {
                return -1;
            }
        }
        return v;
    }
}
