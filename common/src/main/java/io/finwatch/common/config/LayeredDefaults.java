package io.finwatch.common.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option precedence: config file &lt; environment &lt; command line (picocli applies the command line on top
 * of whatever this returns).
 *
 * <p>An option {@code --buffer-max-bytes} is read from the environment as {@code FINWATCH_BUFFER_MAX_BYTES}
 * and from the properties file as {@code buffer-max-bytes} (dots and dashes kept as written,
 * e.g. {@code path.procfs}).
 */
public final class LayeredDefaults implements IDefaultValueProvider {
    public static final String ENV_PREFIX = "FINWATCH_";

    private final Properties file;
    private final Path fileName;
    private final Map<String, String> env;

    public LayeredDefaults(Path configFile, Map<String, String> env) throws IOException {
        this.fileName = configFile;
        this.env = env;
        this.file = new Properties();
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile)) {
                file.load(r);
            }
        }
    }

    /** The environment variable an option is read from. */
    public static String envName(OptionSpec option) {
        return ENV_PREFIX + key(option).toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** The key an option has in a properties file: its longest name without the leading dashes. */
    public static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || key(option).equals("config")) {
            return arg.defaultValue();
        }
        String fromEnv = env.get(envName(option));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.getProperty(key(option));
        if (fromFile != null) {
            return fromFile;
        }
        return arg.defaultValue();
    }

    /** Where an option's effective value came from, for the start-up log. */
    public String origin(OptionSpec option, boolean onCommandLine) {
        if (onCommandLine) {
            return "command line";
        }
        if (env.containsKey(envName(option))) {
            return "env " + envName(option);
        }
        if (file.containsKey(key(option))) {
            return "file " + fileName;
        }
        return "default";
    }
}
