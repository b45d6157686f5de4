package io.finwatch.collector.kernel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;

/**
 * The routing netlink address dump ({@code RTM_GETADDR}): the request, and the addresses in its
 * {@code RTM_NEWADDR} answers. Pure over bytes.
 *
 * <p>Each answer is an {@code ifaddrmsg} (family, prefix length, flags, scope, interface index) and attributes. The
 * interface's own address is {@code IFA_LOCAL} where present (on a point-to-point link {@code IFA_ADDRESS} is the
 * peer's), else {@code IFA_ADDRESS}. Addresses of host or link scope (loopback, link-local) are left out, as are
 * IPv6 addresses whose duplicate detection failed: none of them names the host to a peer elsewhere.
 */
final class IfAddrDecoder {
    private IfAddrDecoder() {
    }

    static final int NETLINK_ROUTE = 0;
    static final int REQUEST_LEN = 16 + 8;
    private static final short RTM_GETADDR = 22;
    private static final int RTM_NEWADDR = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final short NLM_F_REQUEST_DUMP = 0x1 | 0x300;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_FLAGS = 8;
    private static final int IFA_F_DADFAILED = 0x08;
    /** RT_SCOPE_LINK; host (254) and nowhere (255) are above it. */
    private static final int RT_SCOPE_LINK = 253;

    /** The dump request for every family's addresses. */
    static byte[] request(int seq) {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_LEN).order(ByteOrder.nativeOrder());
        b.putInt(REQUEST_LEN).putShort(RTM_GETADDR).putShort(NLM_F_REQUEST_DUMP).putInt(seq).putInt(0);
        b.put((byte) 0); // AF_UNSPEC: both families
        return b.array();
    }

    /**
     * Adds the addresses of the datagram's messages to {@code into}.
     *
     * @return true when the dump ended (NLMSG_DONE)
     * @throws IllegalArgumentException for an error answer or a message cut short
     */
    static boolean decode(ByteBuffer in, Collection<String> into) {
        ByteBuffer b = in.order(ByteOrder.nativeOrder());
        while (b.remaining() >= 16) {
            int start = b.position();
            int len = b.getInt(start);
            int type = Short.toUnsignedInt(b.getShort(start + 4));
            if (len < 16 || len > b.remaining()) {
                throw new IllegalArgumentException("netlink message length " + len + " with " + b.remaining() + " left");
            }
            b.position(Math.min(b.limit(), start + ((len + 3) & ~3)));
            if (type == NLMSG_DONE) {
                return true;
            }
            if (type == NLMSG_ERROR) {
                throw new IllegalArgumentException("RTM_GETADDR answered errno " + -b.getInt(start + 16));
            }
            if (type != RTM_NEWADDR || len < 16 + 8) {
                continue;
            }
            int flags = b.get(start + 18) & 0xff;
            int scope = b.get(start + 19) & 0xff;
            byte[] local = null;
            byte[] address = null;
            for (int off = start + 24; off + 4 <= start + len; ) {
                int alen = Short.toUnsignedInt(b.getShort(off));
                int atype = b.getShort(off + 2) & 0x3fff;
                if (alen < 4 || off + alen > start + len) {
                    throw new IllegalArgumentException("address attribute " + atype + " of length " + alen + " overruns");
                }
                if ((atype == IFA_LOCAL || atype == IFA_ADDRESS) && (alen == 8 || alen == 20)) {
                    byte[] a = new byte[alen - 4];
                    b.get(off + 4, a);
                    if (atype == IFA_LOCAL) {
                        local = a;
                    } else {
                        address = a;
                    }
                } else if (atype == IFA_FLAGS && alen >= 8) {
                    flags = b.getInt(off + 4);
                }
                off += (alen + 3) & ~3;
            }
            byte[] own = local != null ? local : address;
            if (own == null || scope >= RT_SCOPE_LINK || (flags & IFA_F_DADFAILED) != 0) {
                continue;
            }
            InetAddress ip;
            try {
                ip = InetAddress.getByAddress(own);
            } catch (UnknownHostException e) {
                continue;
            }
            if (!ip.isLoopbackAddress() && !ip.isLinkLocalAddress()) {
                into.add(ConntrackReader.text(own));
            }
        }
        return false;
    }
}
