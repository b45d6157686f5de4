package io.finwatch.collector.buffer;

import java.time.Clock;

import net.openhft.chronicle.core.time.TimeProvider;

/** Lets Chronicle pick roll cycles from the same injected clock the rest of the collector uses. */
final class ClockTimeProvider implements TimeProvider {
    private final Clock clock;

    ClockTimeProvider(Clock clock) {
        this.clock = clock;
    }

    @Override
    public long currentTimeMillis() {
        return clock.millis();
    }
}
