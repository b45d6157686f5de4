package io.finwatch.streams.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** The API's instants read the same whichever way they are written: the pattern is the contract. */
class ApiJsonInstantProperties {

    private static final DateTimeFormatter CONTRACT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Property(tries = 5000)
    void writtenAsThePatternWrites(@ForAll @LongRange(min = -70_000_000_000_000L, max = 300_000_000_000_000L) long epochMs) {
        Instant t = Instant.ofEpochMilli(epochMs);
        assertThat(ApiJson.format(t)).isEqualTo(CONTRACT.format(t));
    }

    @Property(tries = 2000)
    void aroundTheEpochAndDayEdges(@ForAll @LongRange(min = -200_000_000L, max = 200_000_000L) long epochMs) {
        Instant t = Instant.ofEpochMilli(epochMs);
        assertThat(ApiJson.format(t)).isEqualTo(CONTRACT.format(t));
        assertThat(Instant.parse(ApiJson.format(t))).isEqualTo(t);
    }
}
