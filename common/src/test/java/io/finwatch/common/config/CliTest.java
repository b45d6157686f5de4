package io.finwatch.common.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What a user sees for a wrong setting, a stray variable, and in the effective-configuration log. */
class CliTest {

    @Command(name = "demo")
    static final class Demo implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--interval", defaultValue = "1s")
        Duration interval;

        @Option(names = "--http", defaultValue = "127.0.0.1:8080")
        HostPort http;

        @Option(names = "--owners", negatable = true, defaultValue = "true", fallbackValue = "true")
        boolean owners;

        @Option(names = "--source")
        String source;

        @Option(names = "--port", defaultValue = "9092")
        int port;

        @Override
        public Integer call() {
            if (port > 65535) {
                throw Cli.usageError(spec, "--port must be a port from 1 to 65535, not " + port);
            }
            Cli.logEffectiveConfig(spec, LoggerFactory.getLogger("demo"), Map.of("--source", "netlink"));
            return 0;
        }
    }

    record Run(int code, String err) {
    }

    @Command(name = "root", mixinStandardHelpOptions = true, version = "finwatch 9.9.9", subcommands = Sub.class)
    static final class Root implements Runnable {
        @Override
        public void run() {
        }
    }

    @Command(name = "sub", mixinStandardHelpOptions = true)
    static final class Sub implements Callable<Integer> {
        @Override
        public Integer call() {
            return 0;
        }
    }

    @Command(name = "bare", mixinStandardHelpOptions = true)
    static final class Bare implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void aSubcommandsVersionIsItsRootsAndARootWithoutOneSaysItsJarsVersion() {
        assertThat(stdout(() -> Cli.run(new Root(), new String[] {"sub", "--version"}, Map.of()))).isEqualTo("finwatch 9.9.9");
        // Test classes come from no jar, so no manifest gives them a version.
        assertThat(stdout(() -> Cli.run(new Bare(), new String[] {"--version"}, Map.of()))).isEqualTo("finwatch dev");
    }

    private static String stdout(Runnable r) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    static Run run(Map<String, String> env, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Run(Cli.run(new Demo(), args, env), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(saved);
        }
    }

    @Test
    void aValueThatDoesNotParseIsOneLineNamingTheOptionAndItsSourceWithExitCode2() {
        Run cli = run(Map.of(), "--interval", "abc");
        Run env = run(Map.of("FINWATCH_INTERVAL", "abc"));
        Run host = run(Map.of(), "--http", "localhost");
        Run range = run(Map.of(), "--port", "70000");

        assertThat(cli.code()).isEqualTo(2);
        assertThat(cli.err().strip()).isEqualTo("finwatch: Invalid value for option '--interval': 'abc' is not a duration "
                + "(e.g. 500ms, 1s, 2m, 1h) (see 'demo --help')");
        assertThat(env.code()).isEqualTo(2);
        assertThat(env.err()).contains("'abc' is not a duration").contains("(from env FINWATCH_INTERVAL)");
        assertThat(host.code()).isEqualTo(2);
        assertThat(host.err().strip()).startsWith("finwatch: Invalid value for option '--http': 'localhost' is not host:port")
                .doesNotContain("Exception").hasLineCount(1);
        assertThat(range.code()).isEqualTo(2);
        assertThat(range.err().strip()).isEqualTo("finwatch: --port must be a port from 1 to 65535, not 70000 (see 'demo --help')");
    }

    @Test
    void aFinwatchVariableNoOptionReadsIsNamedInOneWarning() {
        Run r = run(Map.of("FINWATCH_INTERVALL", "2s", "FINWATCH_HTTP_TOKEN", "x", "FINWATCH_PORT", "9093", "FINWATCH_DEBUG", "1",
                "FINWATCH_CLASS_ARCHIVE", "0", "OTHER", "y"));
        assertThat(r.code()).isZero();
        assertThat(r.err().strip()).isEqualTo("finwatch: warning: FINWATCH_HTTP_TOKEN, FINWATCH_INTERVALL match no option of 'demo' and "
                + "are ignored (a typo, or an option of another command? see 'demo --help')");
    }

    @Test
    void theEffectiveConfigurationSaysWhatIsInForce() {
        Logger log = (Logger) LoggerFactory.getLogger("demo");
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            run(Map.of());
            run(Map.of(), "--no-owners");
            run(Map.of(), "--owners");
        } finally {
            log.detachAppender(seen);
        }
        String on = seen.list.get(0).getFormattedMessage();
        String off = seen.list.get(1).getFormattedMessage();
        assertThat(on).contains("  --owners = true (default)").contains("  --source = netlink (chosen at start)").doesNotContain("no-owners");
        assertThat(off).contains("  --owners = false (command line)");
        assertThat(seen.list.get(2).getFormattedMessage()).contains("  --owners = true (command line)");
    }
}
