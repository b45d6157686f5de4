package io.finwatch.common.config;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * Runs a picocli command tree with finwatch's option layering ({@link LayeredDefaults}) and converters.
 * Every command may take {@code --config FILE}; it is found before parsing so that the file can supply
 * defaults for the other options.
 *
 * <p>Exit codes: 2 when a setting is wrong (an unknown option, a value that does not parse or is out of range, an
 * {@link IllegalArgumentException} from the command's own checks), always as one line that names the option and
 * where its value came from; 1 when the command failed while running.
 */
public final class Cli {
    public static final int USAGE = 2;

    /** Variables the launcher, the logging configuration or every command reads itself, not through an option. */
    private static final Set<String> GLOBAL_VARIABLES = Set.of("FINWATCH_DEBUG", "FINWATCH_REBUILD", "FINWATCH_CLASS_ARCHIVE", "FINWATCH_LOG_LEVEL",
            "FINWATCH_KAFKA_LOG_LEVEL");

    /** A command that reads {@code FINWATCH_*} variables of its own besides its options' (a secret kept off the command line). */
    public interface ReadsEnvironment {
        Set<String> environmentVariables();
    }

    private Cli() {
    }

    /** The version in the manifest of the jar that holds the class, or "dev" when run from classes. */
    public static String implementationVersion(Class<?> c) {
        String v = c.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A subcommand's --version says what its root's does: picocli gives a subcommand no version of its own. */
    private static void inheritVersion(CommandLine cl, String[] version) {
        if (cl.getCommandSpec().version().length == 0) {
            cl.getCommandSpec().version(version);
        }
        cl.getSubcommands().values().forEach(sub -> inheritVersion(sub, version));
    }

    public static int run(Object command, String[] args) {
        return run(command, args, System.getenv());
    }

    static int run(Object command, String[] args, Map<String, String> env) {
        Path configFile = findConfigFile(args);
        LayeredDefaults defaults;
        try {
            defaults = new LayeredDefaults(configFile, env);
        } catch (IOException e) {
            System.err.println("finwatch: cannot read config file " + configFile + " (--config): " + e.getMessage());
            return USAGE;
        }
        CommandLine cl = new CommandLine(command);
        String[] rootVersion = cl.getCommandSpec().version();
        inheritVersion(cl, rootVersion.length > 0 ? rootVersion : new String[] {"finwatch " + implementationVersion(command.getClass())});
        cl.setDefaultValueProvider(defaults)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(java.time.Duration.class, converter(Converters::duration))
                .registerConverter(HostPort.class, converter(HostPort::parse))
                .setParameterExceptionHandler((ex, arguments) -> {
                    PrintWriter err = ex.getCommandLine().getErr();
                    err.println("finwatch: " + describe(ex, defaults) + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                            + " --help')");
                    err.flush();
                    return USAGE;
                })
                .setExecutionStrategy(parsed -> {
                    warnUnknownVariables(parsed, env);
                    return new CommandLine.RunLast().execute(parsed);
                })
                .setExecutionExceptionHandler((ex, line, parsed) -> {
                    line.getErr().println("finwatch: " + ex.getMessage());
                    if (env.get("FINWATCH_DEBUG") != null) {
                        ex.printStackTrace(line.getErr());
                    }
                    return ex instanceof IllegalArgumentException ? USAGE : 1;
                });
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.setDefaultValueProvider(defaults);
        }
        return cl.execute(args);
    }

    /** picocli names the option and the value; the converter's message says what is wrong with it. */
    private static <T> ITypeConverter<T> converter(Function<String, T> parse) {
        return text -> {
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        };
    }

    /** picocli's message, and where a value that was not on the command line came from. */
    private static String describe(ParameterException ex, LayeredDefaults defaults) {
        String message = ex.getMessage();
        ArgSpec arg = ex.getArgSpec();
        if (arg instanceof OptionSpec o) {
            ParseResult parsed = ex.getCommandLine().getParseResult();
            boolean onCli = parsed != null && parsed.hasMatchedOption(o);
            String origin = defaults.origin(o, onCli);
            if (!onCli && !origin.equals("default")) {
                message += " (from " + origin + ")";
            }
        }
        return message;
    }

    /**
     * One warning line naming every {@code FINWATCH_*} variable that no option of the command to run (nor of the
     * commands above it) reads: a typo, or an option of another command. Ignoring it silently would run with the
     * default the user meant to change.
     */
    static void warnUnknownVariables(ParseResult parsed, Map<String, String> env) {
        Set<String> known = new TreeSet<>(GLOBAL_VARIABLES);
        String name = "finwatch";
        for (CommandLine c : parsed.asCommandLineList()) {
            CommandSpec spec = c.getCommandSpec();
            name = spec.qualifiedName();
            for (OptionSpec o : spec.options()) {
                known.add(LayeredDefaults.envName(o));
            }
            if (spec.userObject() instanceof ReadsEnvironment r) {
                known.addAll(r.environmentVariables());
            }
        }
        Set<String> unknown = new TreeSet<>();
        for (String variable : env.keySet()) {
            if (variable.startsWith(LayeredDefaults.ENV_PREFIX) && !known.contains(variable)) {
                unknown.add(variable);
            }
        }
        if (!unknown.isEmpty()) {
            PrintWriter err = parsed.commandSpec().commandLine().getErr();
            err.println("finwatch: warning: " + String.join(", ", unknown) + (unknown.size() == 1 ? " matches" : " match")
                    + " no option of '" + name + "' and " + (unknown.size() == 1 ? "is" : "are") + " ignored (a typo, or an option of "
                    + "another command? see '" + name + " --help')");
            err.flush();
        }
    }

    static Path findConfigFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    /** A usage error found by a command's own checks: one line naming the option, exit code 2. */
    public static ParameterException usageError(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** As {@link #logEffectiveConfig(CommandSpec, Logger, Map)} with nothing resolved by the command. */
    public static void logEffectiveConfig(CommandSpec spec, Logger log) {
        logEffectiveConfig(spec, log, Map.of());
    }

    /**
     * Logs every option's effective value and where it came from. Options whose name mentions a token,
     * password or secret are masked: credentials never reach a log. A negatable switch is shown by its positive
     * name, whose meaning its value has ({@code --owners = false} after {@code --no-owners}).
     *
     * @param resolved values the command worked out itself for options left unset (e.g. {@code --source} chosen by
     *                 the procfs root), by option name; shown instead of null
     */
    public static void logEffectiveConfig(CommandSpec spec, Logger log, Map<String, Object> resolved) {
        ParseResult parsed = spec.commandLine().getParseResult();
        LayeredDefaults layers = spec.commandLine().getDefaultValueProvider() instanceof LayeredDefaults l ? l : null;
        List<String> lines = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            Object value = o.getValue();
            boolean onCli = parsed != null && parsed.hasMatchedOption(o);
            String origin = layers == null ? "" : layers.origin(o, onCli);
            if (value == null && resolved.containsKey(o.longestName())) {
                value = resolved.get(o.longestName());
                origin = origin.equals("default") ? "chosen at start" : origin;
            }
            String shown = isSecret(o) ? (value == null ? "(unset)" : "****") : String.valueOf(value);
            lines.add("  " + shownName(o) + " = " + shown + (origin.isEmpty() ? "" : " (" + origin + ")"));
        }
        log.info("effective configuration of '{}':\n{}", spec.qualifiedName(), String.join("\n", lines));
    }

    /** The name whose meaning the value has: the positive form of a negatable switch declared as {@code --no-x}. */
    static String shownName(OptionSpec o) {
        String n = o.longestName();
        if (o.negatable() && n.startsWith("--no-")) {
            return "--" + n.substring("--no-".length());
        }
        return n;
    }

    static boolean isSecret(OptionSpec o) {
        String n = o.longestName().toLowerCase(Locale.ROOT);
        return n.contains("token") || n.contains("password") || n.contains("secret");
    }
}
