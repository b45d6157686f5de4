package io.finwatch.collector.socket;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Text forms of the addresses in a {@link SocketKey}, matching what {@code ss -n} prints. */
public final class InetText {
    private InetText() {
    }

    /** 16 (or 4) network-order bytes of the address. */
    public static byte[] bytes(int family, long hi, long lo) {
        if (family == 4) {
            int v = (int) lo;
            return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /**
     * Dotted quad for IPv4; RFC 5952 text for IPv6, with IPv4-mapped addresses as {@code ::ffff:a.b.c.d}
     * (as ss prints them; {@link InetAddress} would unwrap them to plain IPv4).
     */
    public static String format(int family, long hi, long lo) {
        if (family == 4) {
            int v = (int) lo;
            return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
        }
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return "::ffff:" + format(4, 0, lo & 0xffffffffL);
        }
        return compressV6(hi, lo);
    }

    /**
     * As {@link #format}, but an IPv4-mapped IPv6 address (a dual-stack socket's IPv4 end) as its IPv4 address: how
     * interface addresses and the kernel's state changes name it, whichever family the socket has.
     */
    public static String formatUnmapped(int family, long hi, long lo) {
        if (family == 6 && hi == 0 && (lo >>> 32) == 0xffffL) {
            return format(4, 0, lo & 0xffffffffL);
        }
        return format(family, hi, lo);
    }

    /** {@code a.b.c.d:port} or {@code [v6]:port}. */
    public static String endpoint(int family, long hi, long lo, int port) {
        String ip = format(family, hi, lo);
        return (family == 6 ? "[" + ip + "]" : ip) + ":" + port;
    }

    private static String compressV6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
            g[4 + i] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
        }
        // RFC 5952: the longest run (of at least two) of zero groups becomes "::", the first if tied.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    /** The address as a JDK object, for callers that need one. */
    public static InetAddress toInetAddress(int family, long hi, long lo) {
        try {
            return InetAddress.getByAddress(bytes(family, hi, lo));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of 4 or 16 bytes cannot be invalid", e);
        }
    }
}
