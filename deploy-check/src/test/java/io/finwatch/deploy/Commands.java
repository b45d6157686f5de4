package io.finwatch.deploy;

import io.finwatch.collector.cli.CollectorMain;
import io.finwatch.common.config.Converters;
import io.finwatch.common.config.HostPort;
import io.finwatch.common.config.LayeredDefaults;
import io.finwatch.streams.cli.StreamsMain;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The real picocli models of the commands the images run, by main class and subcommand, so that every option a
 * manifest uses is checked against the code rather than against a list kept in this test.
 */
final class Commands {
    private Commands() {
    }

    /** A fresh command tree for the launcher's main class, parsing as {@code Cli.run} sets it up (converters, enum case). */
    static CommandLine root(String mainClass) {
        Object command = switch (mainClass) {
            case "io.finwatch.collector.cli.CollectorMain" -> new CollectorMain();
            case "io.finwatch.streams.cli.StreamsMain" -> new StreamsMain();
            default -> throw new AssertionError("no command tree known for main class " + mainClass);
        };
        return new CommandLine(command)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(Duration.class, Converters::duration)
                .registerConverter(HostPort.class, HostPort::parse);
    }

    static CommandLine sub(String mainClass, String subcommand) {
        CommandLine sub = root(mainClass).getSubcommands().get(subcommand);
        if (sub == null) {
            throw new AssertionError(mainClass + " has no subcommand '" + subcommand + "'");
        }
        return sub;
    }

    static CommandLine collect() {
        return sub("io.finwatch.collector.cli.CollectorMain", "collect");
    }

    static CommandLine streams() {
        return sub("io.finwatch.streams.cli.StreamsMain", "streams");
    }

    /** The FINWATCH_* environment variables the command reads (LayeredDefaults names them). */
    static Set<String> envNames(CommandSpec spec) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp()) {
                names.add(LayeredDefaults.envName(o));
            }
        }
        return names;
    }

    /**
     * Parses {@code args} as the command would, after replacing Kubernetes {@code $(VAR)} references with sample
     * values: an unknown option, a missing or malformed value fails here.
     */
    static void parse(CommandLine command, List<String> args, Map<String, String> sampleVars) {
        // Through the root command, as the image's ENTRYPOINT does (picocli cannot parse a subcommand on its own).
        List<String> full = new ArrayList<>();
        full.add(command.getCommandName());
        args.forEach(a -> full.add(expand(a, sampleVars)));
        command.getParent().parseArgs(full.toArray(String[]::new));
    }

    static String expand(String arg, Map<String, String> vars) {
        String out = arg;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace("$(" + v.getKey() + ")", v.getValue());
        }
        if (out.contains("$(")) {
            throw new AssertionError("unresolved $(...) reference in argument " + arg);
        }
        return out;
    }
}
