package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CollectorLogConfigTest {

    private static final String NAME = "FINWATCH_TEST_LOG_LEVEL";

    @Test
    void aLevelIsReadAndOneThatIsNoneIsSaidAndReplacedByTheDefault() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            System.setProperty(NAME, " warn ");
            assertThat(CollectorLogConfig.level(NAME, Level.INFO)).isEqualTo(Level.WARN);
            assertThat(captured.size()).isZero();

            System.setProperty(NAME, "loud");
            assertThat(CollectorLogConfig.level(NAME, Level.INFO)).isEqualTo(Level.INFO);
            assertThat(captured.toString(StandardCharsets.UTF_8))
                    .isEqualTo("finwatch: " + NAME + "=loud is not a log level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); using INFO"
                            + System.lineSeparator());
        } finally {
            System.clearProperty(NAME);
            System.setErr(err);
        }
    }
}
