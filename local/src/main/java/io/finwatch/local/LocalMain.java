package io.finwatch.local;

import io.finwatch.collector.cli.Version;
import io.finwatch.common.config.Cli;
import picocli.CommandLine.Command;

/** Entry point of the all-in-one command (run through {@code ./finwatch local}). */
@Command(name = "finwatch", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "finwatch on one machine.", subcommands = LocalCommand.class)
public final class LocalMain {
    public static void main(String[] args) {
        // Before the first logger: the collector's and the streams' jars each carry a logback.xml of their own.
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "finwatch-local-logback.xml");
        }
        System.exit(Cli.run(new LocalMain(), args));
    }
}
