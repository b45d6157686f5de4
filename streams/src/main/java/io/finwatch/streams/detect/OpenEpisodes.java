package io.finwatch.streams.detect;

import io.finwatch.schemas.SocketTransition;
import java.util.HashMap;
import java.util.Map;

/**
 * Which sockets of a task may have an open FIN_WAIT2 episode, by a 64-bit hash of their connection key.
 *
 * <p>Most transitions are of sockets that never show FIN_WAIT2 (established, time-wait, gone), yet a
 * first-seen or a gone can end an episode, so each would otherwise cost a connections-store lookup that
 * misses (through the record cache into RocksDB) and the building of its key string. A socket whose hash
 * is not here has no episode; one whose hash is here is looked up as before, so a hash shared by two
 * sockets only costs a lookup. Hashes are counted, so ending one of two colliding episodes keeps the other.
 *
 * <p>The connections store stays the truth: this is filled from it when the task's processor starts (after
 * any restore) and follows every put and delete of a new or ended episode, all on the stream thread.
 */
final class OpenEpisodes {

    private final Map<Long, Integer> counts = new HashMap<>();

    boolean mayHave(SocketTransition t) {
        return counts.containsKey(hash(t));
    }

    boolean mayHave(ConnectionKey key) {
        return counts.containsKey(hash(key));
    }

    void opened(ConnectionKey key) {
        counts.merge(hash(key), 1, Integer::sum);
    }

    void ended(ConnectionKey key) {
        counts.computeIfPresent(hash(key), (h, n) -> n == 1 ? null : n - 1);
    }

    static long hash(SocketTransition t) {
        return hash(t.getHost(), t.getNetns(), t.getFamily(), t.getLocalIp(), t.getLocalPort(), t.getRemoteIp(), t.getRemotePort(),
                t.getOrdinal());
    }

    static long hash(ConnectionKey k) {
        return hash(k.host(), k.netns(), k.family(), k.localIp(), k.localPort(), k.remoteIp(), k.remotePort(), k.ordinal());
    }

    private static long hash(String host, long netns, int family, String localIp, int localPort, String remoteIp, int remotePort,
                             int ordinal) {
        long h = host.hashCode();
        h = h * 0x9E3779B97F4A7C15L + netns;
        h = h * 0x9E3779B97F4A7C15L + family;
        h = h * 0x9E3779B97F4A7C15L + localIp.hashCode();
        h = h * 0x9E3779B97F4A7C15L + localPort;
        h = h * 0x9E3779B97F4A7C15L + remoteIp.hashCode();
        h = h * 0x9E3779B97F4A7C15L + remotePort;
        h = h * 0x9E3779B97F4A7C15L + ordinal;
        return h ^ (h >>> 29);
    }
}
