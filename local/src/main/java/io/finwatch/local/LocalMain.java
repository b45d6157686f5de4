package io.finwatch.local;

import io.finwatch.common.config.Cli;
import picocli.CommandLine.Command;

/** Entry point of the all-in-one command (run through {@code ./finwatch local}). */
@Command(name = "finwatch", mixinStandardHelpOptions = true,
        description = "finwatch on one machine.", subcommands = LocalCommand.class)
public final class LocalMain {
    public static void main(String[] args) {
        // Before the first logger: the streams' jar carries a logback.xml of its own, and the collector's a logging
        // configurator that steps aside only when this property is set (CollectorLogConfig).
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "finwatch-local-logback.xml");
        }
        System.exit(Cli.run(new LocalMain(), args));
    }
}
