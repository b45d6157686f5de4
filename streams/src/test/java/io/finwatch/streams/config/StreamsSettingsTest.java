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
        assertThat(StreamsSettings.builder().grace(Duration.ofMillis(750)).build().graceMs(5000)).isEqualTo(750);
    }

    @Test
    void silenceDefaultsToFiveIntervalsButNeverUnderTenSeconds() {
        StreamsSettings s = StreamsSettings.defaults();
        assertThat(s.silenceAfterMs(1000)).isEqualTo(10_000);
        assertThat(s.silenceAfterMs(5000)).isEqualTo(25_000);
        assertThat(StreamsSettings.builder().silenceAfter(Duration.ofSeconds(30)).build().silenceAfterMs(60_000)).isEqualTo(30_000);
        assertThatThrownBy(() -> StreamsSettings.builder().silenceAfter(Duration.ofSeconds(9)).build()).hasMessageContaining("minimum");
    }

    @Test
    void transitionsAndHeartbeatsMustBeDifferentTopics() {
        assertThatThrownBy(() -> StreamsSettings.builder().topics("x", "x", "a", "d").build()).hasMessageContaining("different topics");
    }
}
