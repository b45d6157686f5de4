package io.finwatch.collector.track;

import io.finwatch.collector.socket.TcpState;

/**
 * One TCP state change as the kernel announced it (tracepoint {@code sock:inet_sock_set_state}), from any network
 * namespace: the tracepoint does not say which, so the socket's local address is what ties it to one.
 *
 * @param localAddress the socket's own address as the collector writes addresses ({@code 10.0.0.1}, {@code fd00::1}),
 *                     an IPv4-mapped IPv6 address written as its IPv4 address
 * @param localPort    the socket's own port
 * @param from         the state it left; the same as {@code to} when the kernel set a state again (close() of a
 *                     socket in FIN_WAIT1, FIN_WAIT2 or CLOSING orphans it without moving it)
 * @param to           the state it entered
 * @param atNanos      when, in nanoseconds since the epoch, by the kernel's clock
 */
public record StateChange(String localAddress, int localPort, String remoteAddress, int remotePort,
                          TcpState from, TcpState to, long atNanos) {
}
