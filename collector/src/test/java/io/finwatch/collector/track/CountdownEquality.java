package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.util.Map;

/**
 * Tables compared as the diff keeps them: a row whose timer only counted down since an earlier read is kept as that
 * read had it ({@link SocketRow#sameButCountedDown}), so it may differ from the kernel's latest answer in its time
 * left and stamp, never in its expiry or anything else.
 */
final class CountdownEquality {
    private CountdownEquality() {
    }

    static void assertSameTable(SocketTable actual, SocketTable expected) {
        Map<SocketKey, SocketRow> a = actual.asMap();
        Map<SocketKey, SocketRow> e = expected.asMap();
        assertThat(a.keySet()).isEqualTo(e.keySet());
        e.forEach((key, row) -> {
            SocketRow kept = a.get(key);
            if (!row.equals(kept)) {
                assertThat(row.sameButCountedDown(kept, IncrementalDiff.TIMER_SLACK_MS))
                        .as("%s kept for %s", kept, row).isTrue();
            }
        });
    }
}
