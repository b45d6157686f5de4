package io.finwatch.collector.track;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.TcpState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The conntrack entries of sockets in a closing episode, looked up once per episode through a {@link ConntrackPort}.
 *
 * <p>A socket is looked up at the first poll that sees it in a closing state (FIN_WAIT1, FIN_WAIT2, CLOSING,
 * TIME_WAIT, CLOSE_WAIT, LAST_ACK), and the result is held until the socket is gone: a conntrack entry can expire
 * long before its sockets do (the close_wait timeout is 60 s in the kernel, 1 h under kube-proxy), and a socket
 * never leaves a closing episode for a settled state, so the first answer is the one that names the connection's
 * translation. Every later transition of the socket, its GONE included, repeats it. A failed or refused lookup is
 * held too: asking again at every transition would cost the same refusal again.
 *
 * <p>The lookups of one poll go to the port in one call, so the reader can batch them per namespace. Not
 * thread-safe: one poll loop calls it.
 */
public final class Conntracks {
    private final ConntrackPort port;
    /** Per socket in a closing episode: its entries, or null when no table answered. */
    private final Map<SocketKey, List<ConntrackEntry>> held = new HashMap<>();
    private long lookups;
    private long found;
    private long translated;
    private long denied;
    private long errors;

    public Conntracks(ConntrackPort port) {
        this.port = port;
    }

    /** Whether a socket in this state is in a closing episode, where its connection is looked up. */
    public static boolean closing(TcpState state) {
        return switch (state) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK -> true;
            default -> false;
        };
    }

    /**
     * The entries each change carries, looking up the sockets new to a closing state. Changes are taken in order,
     * so a reused tuple's old connection (GONE) leaves before its new one (FIRST_SEEN) is looked up afresh.
     */
    public ConntrackView apply(List<SocketChange> changes, NamespaceSet namespaces) {
        Map<SocketChange, List<ConntrackEntry>> byChange = new IdentityHashMap<>();
        List<SocketChange> asking = new ArrayList<>();
        List<SocketKey> keys = new ArrayList<>();
        for (SocketChange change : changes) {
            SocketKey key = change.key();
            if (change.after() == null) {
                if (held.containsKey(key)) {
                    byChange.put(change, held.remove(key));
                }
                continue;
            }
            if (!closing(change.toState())) {
                if (change.kind() == SocketChange.Kind.FIRST_SEEN) {
                    // A tuple seen settled again is a new connection: whatever was held was another's.
                    held.remove(key);
                }
                continue;
            }
            if (held.containsKey(key)) {
                byChange.put(change, held.get(key));
            } else {
                asking.add(change);
                keys.add(key);
            }
        }
        if (!keys.isEmpty()) {
            List<ConntrackLookup> answers = port.lookup(namespaces, keys);
            for (int i = 0; i < asking.size(); i++) {
                ConntrackLookup answer = answers.get(i);
                count(answer);
                List<ConntrackEntry> entries = answer.reported();
                held.put(keys.get(i), entries);
                byChange.put(asking.get(i), entries);
            }
        }
        return new ConntrackView(byChange, stats());
    }

    /** Forgets the sockets of namespaces that are gone (their GONE changes were already reported). */
    public void retain(NamespaceSet namespaces) {
        held.keySet().removeIf(k -> namespaces.get(k.netns()) == null);
    }

    private void count(ConntrackLookup answer) {
        lookups += answer.asked();
        found += answer.found().size();
        translated += answer.found().stream().filter(ConntrackEntry::translated).count();
        denied += answer.denied();
        errors += answer.failed();
    }

    public ConntrackStats stats() {
        return new ConntrackStats(lookups, found, translated, denied, errors, held.size());
    }
}
