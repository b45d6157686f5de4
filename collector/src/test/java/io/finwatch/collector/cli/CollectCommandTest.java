package io.finwatch.collector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.common.config.Cli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectCommandTest {
    @TempDir
    Path dir;

    @Test
    void aMissingKafkaConfigFileIsNamedWithItsOptionAndWhatIsWrong() {
        Path missing = dir.resolve("client.properties");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int status;
        try {
            status = Cli.run(new CollectorMain(), new String[] {"collect", "--kafka-config", missing.toString(),
                    "--buffer-dir", dir.resolve("buffer").toString(), "--metrics", "127.0.0.1:0", "--host", "h"});
        } finally {
            System.setErr(saved);
        }
        assertThat(status).isNotZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--kafka-config " + missing + ": no such file");
    }
}
