package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0ms", "850, 850ms", "999, 999ms", "1000, 1s", "1003, 1s", "4500, 4.5s", "9999, 9.9s", "10000, 10s", "59999, 59s",
        "60000, 1m", "90123, 1m30s", "3599999, 59m59s", "3600000, 1h", "7384000, 2h3m", "86399999, 23h59m", "86400000, 1d",
        "273600000, 3d4h", "-1500, -1.5s"})
    void durationsKeepTheTwoLargestUnits(long ms, String shown) {
        assertThat(Human.duration(ms)).isEqualTo(shown);
    }

    @Test
    void relativeTimesRoundToWholeSecondsEitherWay() {
        Human h = new Human(Clock.fixed(Instant.parse("2026-11-22T10:16:00Z"), ZoneId.of("UTC")));

        assertThat(h.relative(Instant.parse("2026-11-22T10:15:59.500Z"))).isEqualTo("just now");
        assertThat(h.relative(Instant.parse("2026-11-22T10:15:58.123Z"))).isEqualTo("1s ago");
        assertThat(h.relative(Instant.parse("2026-11-22T10:14:30Z"))).isEqualTo("1m30s ago");
        assertThat(h.relative(Instant.parse("2026-11-22T10:16:55.500Z"))).isEqualTo("in 55s");
    }

    @Test
    void localTimesAreInTheClocksZoneWithTheDateOnlyWhenNotToday() {
        Human h = new Human(Clock.fixed(Instant.parse("2026-11-22T10:16:00Z"), ZoneId.of("Europe/Berlin")));

        assertThat(h.local(Instant.parse("2026-11-22T10:15:00.512Z"))).isEqualTo("11:15:00");
        assertThat(h.local(Instant.parse("2026-11-21T22:59:00Z"))).as("23:59 in Berlin, yesterday").isEqualTo("2026-11-21 23:59:00");
        assertThat(h.local(Instant.parse("2026-11-21T23:30:00Z"))).as("already today in Berlin").isEqualTo("00:30:00");
        assertThat(Human.instant("not a time", h::local)).isEqualTo("not a time");
        assertThat(Human.instant(null, h::local)).isEqualTo("-");
    }
}
