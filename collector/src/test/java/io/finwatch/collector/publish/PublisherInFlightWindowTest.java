package io.finwatch.collector.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.buffer.BufferedEvent;
import io.finwatch.collector.buffer.EventKind;
import io.finwatch.collector.buffer.StoredEvent;
import org.junit.jupiter.api.Test;

class PublisherInFlightWindowTest {
    private static StoredEvent stored(long index) {
        return new StoredEvent(index, 7, new BufferedEvent(EventKind.TRANSITION, index, "h", new byte[0]), 1_000 + index,
                index, index * 10, 10);
    }

    @Test
    void onlyTheContiguousPrefixOfAcknowledgementsBecomesTheResumePoint() {
        InFlightWindow w = new InFlightWindow();
        InFlightWindow.Entry a = w.add(stored(1));
        InFlightWindow.Entry b = w.add(stored(2));
        InFlightWindow.Entry c = w.add(stored(3));

        assertThat(w.acknowledged(c)).isZero();
        assertThat(w.takeAcknowledged()).isNull();
        assertThat(w.acknowledged(a)).isEqualTo(1);
        assertThat(w.takeAcknowledged().index()).isEqualTo(1);
        assertThat(w.lagMillis(5_000)).as("oldest outstanding: index 2").isEqualTo(5_000 - 1_002);
        assertThat(w.acknowledged(b)).isEqualTo(2);
        assertThat(w.takeAcknowledged().index()).isEqualTo(3);
        assertThat(w.acknowledgedTotal()).isEqualTo(3);
        assertThat(w.outstanding()).isZero();
        assertThat(w.lagMillis(5_000)).as("nothing outstanding").isEqualTo(InFlightWindow.NONE);
    }

    @Test
    void aFailureStopsTheRoundAndKeepsTheResumePointBeforeIt() {
        InFlightWindow w = new InFlightWindow();
        InFlightWindow.Entry a = w.add(stored(1));
        InFlightWindow.Entry b = w.add(stored(2));
        InFlightWindow.Entry c = w.add(stored(3));
        w.acknowledged(a);
        w.failed(b, new RuntimeException("boom"));
        w.acknowledged(c);

        assertThat(w.canSend(100, 1_000)).isFalse();
        assertThat(w.failure().event().index()).isEqualTo(2);
        assertThat(w.takeAcknowledged().index()).as("3 was acknowledged but 2 was not").isEqualTo(1);
        assertThat(w.outstanding()).isZero();
        w.reset();
        assertThat(w.canSend(100, 1_000)).isTrue();
        // Nothing is in flight now, but 2 is still unacknowledged: the lag keeps counting from its append.
        assertThat(w.lagMillis(9_000)).isEqualTo(9_000 - 1_002);
        assertThat(w.lagMillis(19_000)).isEqualTo(19_000 - 1_002);
    }
}
