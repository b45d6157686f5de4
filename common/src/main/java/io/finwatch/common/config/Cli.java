package io.finwatch.common.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Runs a picocli command tree with finwatch's option layering ({@link LayeredDefaults}) and converters.
 * Every command may take {@code --config FILE}; it is found before parsing so that the file can supply
 * defaults for the other options.
 */
public final class Cli {
    private Cli() {
    }

    public static int run(Object command, String[] args) {
        Path configFile = findConfigFile(args);
        LayeredDefaults defaults;
        try {
            defaults = new LayeredDefaults(configFile, System.getenv());
        } catch (IOException e) {
            System.err.println("finwatch: cannot read config file " + configFile + ": " + e.getMessage());
            return 2;
        }
        CommandLine cl = new CommandLine(command)
                .setDefaultValueProvider(defaults)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .registerConverter(java.time.Duration.class, Converters::duration)
                .registerConverter(HostPort.class, HostPort::parse)
                .setExecutionExceptionHandler((ex, line, parsed) -> {
                    line.getErr().println("finwatch: " + ex.getMessage());
                    if (System.getenv("FINWATCH_DEBUG") != null) {
                        ex.printStackTrace(line.getErr());
                    }
                    return 1;
                });
        for (CommandLine sub : cl.getSubcommands().values()) {
            sub.setDefaultValueProvider(defaults);
        }
        return cl.execute(args);
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

    /**
     * Logs every option's effective value and where it came from. Options whose name mentions a token,
     * password or secret are masked: credentials never reach a log.
     */
    public static void logEffectiveConfig(CommandSpec spec, Logger log) {
        ParseResult parsed = spec.commandLine().getParseResult();
        LayeredDefaults layers = spec.commandLine().getDefaultValueProvider() instanceof LayeredDefaults l ? l : null;
        List<String> lines = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp()) {
                continue;
            }
            Object value = o.getValue();
            String shown = isSecret(o) ? (value == null ? "(unset)" : "****") : String.valueOf(value);
            boolean onCli = parsed != null && parsed.hasMatchedOption(o);
            String origin = layers == null ? "" : " (" + layers.origin(o, onCli) + ")";
            lines.add("  " + o.longestName() + " = " + shown + origin);
        }
        log.info("effective configuration of '{}':\n{}", spec.qualifiedName(), String.join("\n", lines));
    }

    static boolean isSecret(OptionSpec o) {
        String n = o.longestName().toLowerCase(Locale.ROOT);
        return n.contains("token") || n.contains("password") || n.contains("secret");
    }
}
