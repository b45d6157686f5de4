package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-episode memory of conntrack results, with a fake port that counts what it is asked. */
class ConntracksTest {
    private static final SocketKey KEY = new SocketKey(7, 4, 0, 0x0a000001L, 40000, 0, 0x0a000002L, 80, 0);
    private static final ConntrackEntry ENTRY = new ConntrackEntry(ConntrackEntry.Scope.HOST_NAMESPACE, 0,
            new ConntrackEntry.Tuple("10.0.0.1", 40000, "10.0.99.10", 80),
            new ConntrackEntry.Tuple("10.0.0.2", 8080, "10.0.0.1", 40000), true);

    private final List<List<SocketKey>> asked = new ArrayList<>();
    private ConntrackLookup answer = new ConntrackLookup(List.of(ENTRY), 2, 2, 0, 0);
    private final Conntracks conntracks = new Conntracks((namespaces, keys) -> {
        asked.add(List.copyOf(keys));
        return keys.stream().map(k -> answer).toList();
    });
    private final NamespaceSet namespaces = new NamespaceSet(Map.of(7L, new NetNamespace(7, 1, List.of(1))), 1, 0, 0, 0);

    private static SocketRow row(TcpState state, long inode) {
        return new SocketRow(KEY, state, TimerKind.OFF, 0, 0, 0, inode, 0, 0);
    }

    @Test
    void aSocketIsLookedUpOnceWhenItStartsClosingAndEveryLaterTransitionCarriesIt() {
        SocketChange established = SocketChange.firstSeen(row(TcpState.ESTABLISHED, 5));
        ConntrackView v1 = conntracks.apply(List.of(established), namespaces);
        assertThat(v1.entriesOf(established)).isNull();
        assertThat(asked).isEmpty();

        SocketChange closeWait = SocketChange.changed(row(TcpState.ESTABLISHED, 5), row(TcpState.CLOSE_WAIT, 5));
        assertThat(conntracks.apply(List.of(closeWait), namespaces).entriesOf(closeWait)).containsExactly(ENTRY);

        answer = new ConntrackLookup(List.of(), 2, 2, 0, 0); // the entry expired: asking again would lose it
        SocketChange lastAck = SocketChange.changed(row(TcpState.CLOSE_WAIT, 5), row(TcpState.LAST_ACK, 0));
        assertThat(conntracks.apply(List.of(lastAck), namespaces).entriesOf(lastAck)).containsExactly(ENTRY);
        SocketChange gone = SocketChange.gone(row(TcpState.LAST_ACK, 0));
        ConntrackView last = conntracks.apply(List.of(gone), namespaces);
        assertThat(last.entriesOf(gone)).containsExactly(ENTRY);
        assertThat(asked).hasSize(1);
        assertThat(last.stats()).isEqualTo(new ConntrackStats(2, 1, 1, 0, 0, 0));
    }

    @Test
    void aReusedTupleIsANewConnectionAndIsLookedUpAfresh() {
        SocketChange first = SocketChange.firstSeen(row(TcpState.TIME_WAIT, 0));
        conntracks.apply(List.of(first), namespaces);
        answer = new ConntrackLookup(List.of(), 2, 2, 0, 0);
        SocketChange old = SocketChange.gone(row(TcpState.TIME_WAIT, 0));
        SocketChange fresh = SocketChange.firstSeen(row(TcpState.FIN_WAIT2, 9));
        ConntrackView v = conntracks.apply(List.of(old, fresh), namespaces);
        assertThat(v.entriesOf(old)).containsExactly(ENTRY);
        assertThat(v.entriesOf(fresh)).isEmpty();
        assertThat(asked).hasSize(2);
    }

    @Test
    void aRefusedLookupIsReportedAsNoneAndNotAskedAgain() {
        answer = new ConntrackLookup(List.of(), 2, 0, 2, 0);
        SocketChange finWait2 = SocketChange.firstSeen(row(TcpState.FIN_WAIT2, 5));
        assertThat(conntracks.apply(List.of(finWait2), namespaces).entriesOf(finWait2)).isNull();
        SocketChange orphaned = SocketChange.changed(row(TcpState.FIN_WAIT2, 5), row(TcpState.FIN_WAIT2, 0));
        ConntrackView v = conntracks.apply(List.of(orphaned), namespaces);
        assertThat(v.entriesOf(orphaned)).isNull();
        assertThat(asked).hasSize(1);
        assertThat(v.stats().denied()).isEqualTo(2);
    }

    @Test
    void theSocketsOfAVanishedNamespaceAreForgotten() {
        conntracks.apply(List.of(SocketChange.firstSeen(row(TcpState.CLOSE_WAIT, 5))), namespaces);
        assertThat(conntracks.stats().episodes()).isEqualTo(1);
        conntracks.retain(NamespaceSet.empty());
        assertThat(conntracks.stats().episodes()).isZero();
    }
}
