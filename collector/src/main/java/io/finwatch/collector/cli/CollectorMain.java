package io.finwatch.collector.cli;

import io.finwatch.common.config.Cli;
import picocli.CommandLine.Command;

/** Entry point of the collector module's commands (run through ./finwatch). */
@Command(name = "finwatch", mixinStandardHelpOptions = true,
        description = "Watches TCP sockets stuck in FIN_WAIT_2 on this host.",
        subcommands = {SnapshotCommand.class, CollectCommand.class, TailCommand.class, ReproCommand.class})
public final class CollectorMain {
    public static void main(String[] args) {
        System.exit(Cli.run(new CollectorMain(), args));
    }
}
