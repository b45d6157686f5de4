package io.finwatch.collector.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.SocketTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a consumer of the events rebuilds: the previous table with the changes applied in order, each checked. */
final class ChangeReplay {
    private ChangeReplay() {
    }

    /** Fails when a change does not fit the state so far: a GONE or CHANGED whose before is not there, etc. */
    static Map<SocketKey, SocketRow> replay(SocketTable previous, List<SocketChange> changes) {
        Map<SocketKey, SocketRow> state = new HashMap<>(previous.asMap());
        for (SocketChange c : changes) {
            if (c.seenOnlyAtDestruction()) {
                // Never in a table: it lived and died between the two polls.
                assertThat(state).doesNotContainKey(c.key());
                continue;
            }
            switch (c.kind()) {
                case GONE -> assertThat(state.remove(c.key())).isEqualTo(c.before());
                case FIRST_SEEN -> assertThat(state.put(c.key(), c.after())).isNull();
                case CHANGED -> assertThat(state.put(c.key(), c.after())).isEqualTo(c.before());
            }
        }
        return state;
    }
}
