package io.finwatch.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class LayeredDefaultsTest {

    @Command(name = "demo")
    static final class Demo implements Runnable {
        @Option(names = "--interval", defaultValue = "1s", converter = DurationConverter.class)
        Duration interval;

        @Option(names = "--path.procfs", defaultValue = "/proc")
        String procfs;

        @Option(names = "--http-token")
        String token;

        @Override
        public void run() {
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Converters.duration(value);
        }
    }

    private static Demo parse(Path file, Map<String, String> env, String... args) throws Exception {
        Demo demo = new Demo();
        new CommandLine(demo).setDefaultValueProvider(new LayeredDefaults(file, env)).parseArgs(args);
        return demo;
    }

    @Test
    void annotationDefaultsApplyWhenNothingElseSays() throws Exception {
        Demo d = parse(null, Map.of());
        assertThat(d.interval).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.procfs).isEqualTo("/proc");
    }

    @Test
    void fileBeatsDefaultEnvBeatsFileCommandLineBeatsEnv(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("finwatch.properties");
        Files.writeString(file, "interval=5s\npath.procfs=/host/proc\n");

        assertThat(parse(file, Map.of()).interval).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse(file, Map.of()).procfs).isEqualTo("/host/proc");

        Map<String, String> env = Map.of("FINWATCH_INTERVAL", "7s", "FINWATCH_PATH_PROCFS", "/env/proc");
        assertThat(parse(file, env).interval).isEqualTo(Duration.ofSeconds(7));
        assertThat(parse(file, env).procfs).isEqualTo("/env/proc");

        assertThat(parse(file, env, "--interval", "250ms").interval).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void secretsAreRecognisedByName() {
        CommandLine cl = new CommandLine(new Demo());
        assertThat(Cli.isSecret(cl.getCommandSpec().findOption("--http-token"))).isTrue();
        assertThat(Cli.isSecret(cl.getCommandSpec().findOption("--interval"))).isFalse();
    }

    @Test
    void durationsAndSizesParseOrSayWhatIsExpected() {
        assertThat(Converters.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Converters.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Converters.duration("PT3S")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Converters.duration("0")).isZero();
        assertThatThrownBy(() -> Converters.duration("5")).hasMessageContaining("'5' is not a duration");
        assertThatThrownBy(() -> Converters.duration("soon")).hasMessageContaining("'soon' is not a duration");
        assertThat(Converters.bytes("512m")).isEqualTo(512L << 20);
        assertThat(Converters.bytes("2GiB")).isEqualTo(2L << 30);
        assertThat(Converters.bytes("4096")).isEqualTo(4096);
        assertThatThrownBy(() -> Converters.bytes("-1")).hasMessageContaining("not a byte size");
    }

    @Test
    void hostPortForms() {
        assertThat(HostPort.parse("127.0.0.1:9404")).isEqualTo(new HostPort("127.0.0.1", 9404));
        assertThat(HostPort.parse("[::1]:8080")).isEqualTo(new HostPort("::1", 8080));
        assertThat(HostPort.parse(":8080").host()).isEqualTo("0.0.0.0");
        assertThatThrownBy(() -> HostPort.parse("localhost")).hasMessageContaining("not host:port");
        assertThatThrownBy(() -> HostPort.parse("h:70000")).hasMessageContaining("out of range");
    }
}
