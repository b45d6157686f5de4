package io.finwatch.streams.testkit;

import io.finwatch.streams.config.StreamsSettings;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A TopologyTestDriver detector with default settings, its wall clock at {@link #T0}, on a fresh state dir. */
public abstract class DetectorTest {
    public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    protected Path stateDir;
    protected DetectorHarness det;

    @BeforeEach
    void startDetector() {
        det = new DetectorHarness(StreamsSettings.defaults(), stateDir, T0);
    }

    @AfterEach
    void stopDetector() {
        det.close();
    }
}
