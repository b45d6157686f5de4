package io.finwatch.streams.cli.query;

import io.finwatch.common.config.Converters;
import io.finwatch.common.config.HostPort;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code query ...} in-process with a given environment and clock, as {@code Cli.run} configures it, capturing stdout and stderr. */
public final class QueryRun {

    public record Result(int exitCode, String out, String err) {
    }

    private QueryRun() {
    }

    public static Result run(Map<String, String> env, Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = commandLine(env, clock, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** The command line wired like {@code Cli.run} (converters, case-insensitive enums), for a test that drives it itself. */
    public static CommandLine commandLine(Map<String, String> env, Clock clock, PrintWriter out, PrintWriter err) {
        return new CommandLine(new QueryCommand(env, clock))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, Converters::duration)
                .registerConverter(HostPort.class, HostPort::parse)
                .setOut(out)
                .setErr(err);
    }
}
