package io.finwatch.collector.track;

/**
 * A connection-tracking entry found for a socket: the two tuples of the kernel's entry, which table held it, and
 * whether it translates addresses. Addresses are text, IPv4-mapped ones unmapped (the entry of a Java client's
 * {@code ::ffff:a.b.c.d} socket is an IPv4 one).
 *
 * @param scope      the table it was found in: the socket's own namespace or the host's
 * @param zone       the entry's conntrack zone (0 unless the rules set one)
 * @param orig       the tuple of the connection's first packet, before NAT
 * @param reply      the tuple its replies carry, after NAT (src = the real server under DNAT, dst = what the server
 *                   sees as the client)
 * @param translated the entry rewrites addresses or ports (its SNAT or DNAT status bits): reply is not the
 *                   inverse of orig
 */
public record ConntrackEntry(Scope scope, int zone, Tuple orig, Tuple reply, boolean translated) {

    /** Which namespace's table held the entry. */
    public enum Scope {
        /** The socket's own network namespace: NAT inside a pod, a sidecar's redirect. */
        SOCKET_NAMESPACE,
        /** The host's: kube-proxy's Service NAT, a NodePort. */
        HOST_NAMESPACE
    }

    /** One direction of the entry: source and destination, addresses as text. */
    public record Tuple(String srcIp, int srcPort, String dstIp, int dstPort) {
        @Override
        public String toString() {
            return srcIp + ":" + srcPort + " -> " + dstIp + ":" + dstPort;
        }
    }
}
