package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.Shutdown;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import org.junit.jupiter.api.Test;

/** The tracker's memory of when each socket entered its state, across polls (IncrementalDiff). */
class StateSinceTest {
    private static final SocketKey KEY = new SocketKey(1, 4, 0, 0x0a0e0001L, 40000, 0, 0x0a0e0002L, 7500, 0);

    @Test
    void theFirstKernelTimeIsKeptWhileTheKernelsReadingsJitter() {
        SocketTable t1 = poll(SocketTable.empty(), 10_000, fw2(1_000, true));
        SocketTable t2 = poll(t1, 15_000, fw2(1_004, true));
        SocketTable t3 = poll(t2, 20_000, fw2(996, true));

        assertThat(t3.get(KEY).stateSinceMs()).isEqualTo(1_000);
        assertThat(t3.get(KEY).sinceKernel()).isTrue();
    }

    @Test
    void withoutAKernelTimeTheFirstPollThatSawTheStateCounts() {
        SocketTable t1 = poll(SocketTable.empty(), 10_000, fw2(0, false));
        SocketTable t2 = poll(t1, 15_000, fw2(0, false));

        assertThat(t2.get(KEY).stateSinceMs()).isEqualTo(10_000);
        assertThat(t2.get(KEY).sinceKernel()).isFalse();
    }

    @Test
    void aKernelTimeReplacesAnObservedOne() {
        SocketTable t1 = poll(SocketTable.empty(), 10_000, fw2(0, false));
        SocketTable t2 = poll(t1, 15_000, fw2(9_000, true));

        assertThat(t2.get(KEY).stateSinceMs()).isEqualTo(9_000);
        assertThat(t2.get(KEY).sinceKernel()).isTrue();
    }

    @Test
    void aNewStateStartsOver() {
        SocketTable t1 = poll(SocketTable.empty(), 10_000, fw2(1_000, true));
        SocketRow timeWait = new SocketRow(KEY, TcpState.TIME_WAIT, TimerKind.TIMEWAIT, 59_000, 0, 0, 0, 0, 0, 5,
                null, 20_000, 0, false);
        SocketTable t2 = poll(t1, 20_000, timeWait);

        assertThat(t2.get(KEY).state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(t2.get(KEY).stateSinceMs()).isEqualTo(20_000);
        assertThat(t2.get(KEY).sinceKernel()).isFalse();
    }

    @Test
    void theAgesAreNotAChange() {
        SocketTable t1 = poll(SocketTable.empty(), 10_000, fw2(1_000, true));
        IncrementalDiff diff = new IncrementalDiff(t1, SocketTable.builder(16), 15_000);
        diff.add(fw2(1_004, true));

        IncrementalDiff.Result result = diff.finish();

        assertThat(result.changes()).isEmpty();
        assertThat(result.table().get(KEY)).isSameAs(t1.get(KEY));
    }

    private static SocketTable poll(SocketTable previous, long at, SocketRow row) {
        IncrementalDiff diff = new IncrementalDiff(previous, SocketTable.builder(16), at);
        diff.add(row);
        return diff.finish().table();
    }

    private static SocketRow fw2(long since, boolean kernel) {
        return new SocketRow(KEY, TcpState.FIN_WAIT2, TimerKind.OFF, 0, 0, 1000, 77, 0, 0, 5, Shutdown.WR,
                since + 500, since, kernel);
    }

}
