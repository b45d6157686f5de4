package io.finwatch.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The connection options as every command that reaches Kafka takes them: layered, named in errors, not unknown. */
class KafkaConnectionOptionsTest {

    @TempDir
    Path dir;

    @Command(name = "client")
    static final class Client implements Callable<Integer> {
        @Mixin
        KafkaConnectionOptions kafka;

        @Option(names = "--config")
        Path config;

        String servers;
        Properties properties;

        @Override
        public Integer call() throws IOException {
            servers = kafka.bootstrapServers();
            properties = kafka.clientProperties();
            return 0;
        }
    }

    private static String run(Client client, Map<String, String> env, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Cli.run(client, args, env);
            return err.toString(StandardCharsets.UTF_8);
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void fileThenEnvironmentThenCommandLine() throws IOException {
        Path config = Files.writeString(dir.resolve("finwatch.properties"), "bootstrap-servers = file:9092\n");
        Path tls = Files.writeString(dir.resolve("client.properties"), "security.protocol = SSL\n");

        Client fromFile = new Client();
        run(fromFile, Map.of(), "--config", config.toString());
        Client fromEnv = new Client();
        String err = run(fromEnv, Map.of("FINWATCH_BOOTSTRAP_SERVERS", "env:9092", "FINWATCH_KAFKA_CONFIG", tls.toString()),
                "--config", config.toString());
        Client fromCli = new Client();
        run(fromCli, Map.of("FINWATCH_BOOTSTRAP_SERVERS", "env:9092"), "--bootstrap-servers", "cli:9092");

        assertThat(fromFile.servers).isEqualTo("file:9092");
        assertThat(fromFile.properties).isEmpty();
        assertThat(fromEnv.servers).isEqualTo("env:9092");
        assertThat(fromEnv.properties).containsEntry("security.protocol", "SSL");
        assertThat(err).as("both variables belong to an option").doesNotContain("warning");
        assertThat(fromCli.servers).isEqualTo("cli:9092");
    }

    @Test
    void anUnreadableFileIsNamedWithItsOption() {
        KafkaConnectionOptions options = new KafkaConnectionOptions();
        options.kafkaConfig = dir.resolve("missing.properties");
        assertThatThrownBy(options::clientProperties).hasMessage("--kafka-config " + options.kafkaConfig + ": no such file");
    }
}
