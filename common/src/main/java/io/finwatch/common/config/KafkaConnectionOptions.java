package io.finwatch.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * How a command reaches Kafka, declared once for every command that does ({@code collect}, {@code tail},
 * {@code streams}; {@code local} runs its own broker): the brokers, and a properties file of client settings that
 * the connection needs (TLS: {@code security.protocol}, {@code ssl.*}; SASL: {@code sasl.*}; {@code client.id})
 * or that tune the command's clients. Like every option, each is also read from the {@code --config} file and from
 * {@code FINWATCH_BOOTSTRAP_SERVERS} / {@code FINWATCH_KAFKA_CONFIG}. One file serves the whole fleet: collectors
 * and detectors of a cluster take the same one.
 */
public final class KafkaConnectionOptions {
    public static final String BOOTSTRAP_SERVERS = "--bootstrap-servers";
    public static final String KAFKA_CONFIG = "--kafka-config";

    @Option(names = BOOTSTRAP_SERVERS, defaultValue = "localhost:9092", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = KAFKA_CONFIG, paramLabel = "FILE",
            description = "Kafka client properties: TLS (security.protocol, ssl.*), SASL (sasl.*), client.id, tuning. "
                    + "What a command owns stays fixed (the collector's acks, idempotence and retries; the detector's "
                    + "exactly-once and the settings of its own options). Default: none (plaintext).")
    Path kafkaConfig;

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The --kafka-config file, or null. */
    public Path kafkaConfig() {
        return kafkaConfig;
    }

    /** The --kafka-config properties (none when unset); a file that cannot be read is named with its option. */
    public Properties clientProperties() throws IOException {
        return load(kafkaConfig, KAFKA_CONFIG);
    }

    /** The properties in {@code file} (none when null); a file that cannot be read is named with {@code option}. */
    public static Properties load(Path file, String option) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (NoSuchFileException e) {
                throw new IOException(option + " " + file + ": no such file", e);
            } catch (AccessDeniedException e) {
                throw new IOException(option + " " + file + ": permission denied", e);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(option + " " + file + ": cannot be read as properties: " + e.getMessage(), e);
            }
        }
        return p;
    }
}
