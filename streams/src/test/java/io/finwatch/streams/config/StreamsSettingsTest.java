package io.finwatch.streams.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

    @Test
    void graceDefaultsToTwoPollIntervalsOfTheHost() {
        StreamsSettings s = StreamsSettings.defaults();
        assertThat(s.graceMs(1000)).isEqualTo(2000);
        assertThat(s.graceMs(5000)).isEqualTo(10_000);
        assertThat(s.withGrace(Duration.ofMillis(750)).graceMs(5000)).isEqualTo(750);
    }

    @Test
    void silenceDefaultsToFiveIntervalsButNeverUnderTenSeconds() {
        StreamsSettings s = StreamsSettings.defaults();
        assertThat(s.silenceAfterMs(1000)).isEqualTo(10_000);
        assertThat(s.silenceAfterMs(5000)).isEqualTo(25_000);
        assertThat(s.withSilenceAfter(Duration.ofSeconds(30)).silenceAfterMs(60_000)).isEqualTo(30_000);
        assertThatThrownBy(() -> s.withSilenceAfter(Duration.ofSeconds(9))).hasMessageContaining("minimum");
    }

    @Test
    void transitionsAndHeartbeatsMustBeDifferentTopics() {
        assertThatThrownBy(() -> StreamsSettings.defaults().withTopics("x", "x", "a", "d")).hasMessageContaining("different topics");
    }
}
