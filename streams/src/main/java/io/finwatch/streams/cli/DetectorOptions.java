package io.finwatch.streams.cli;

import io.finwatch.streams.config.StreamsSettings;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The detector's judgement options, declared once for every command that runs the detector ({@code streams},
 * {@code local}); validated with the rest of the settings by {@link StreamsSettings.Builder#build()}.
 */
public final class DetectorOptions {

    @Option(names = "--close-wait-threshold", defaultValue = "60s", paramLabel = "DURATION",
            description = "How long a socket may sit in CLOSE_WAIT before it is STUCK (CLOSE_WAIT_PAST_THRESHOLD): the kernel "
                    + "never reaps CLOSE_WAIT, only its process's close() ends it. At least 1s. Default: ${DEFAULT-VALUE}.")
    Duration closeWaitThreshold = StreamsSettings.DEFAULT_CLOSE_WAIT_THRESHOLD;

    /** These options on top of {@code settings}. */
    public StreamsSettings.Builder applyTo(StreamsSettings.Builder settings) {
        return settings.closeWaitThreshold(closeWaitThreshold);
    }
}
