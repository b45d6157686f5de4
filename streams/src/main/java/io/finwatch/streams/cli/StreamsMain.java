package io.finwatch.streams.cli;

import io.finwatch.common.config.Cli;
import io.finwatch.streams.cli.query.QueryCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Entry point of the streams module: {@code StreamsMain streams [options]} runs the detector,
 * {@code StreamsMain query ...} asks a running one through its query API.
 */
@Command(name = "finwatch", mixinStandardHelpOptions = true, subcommands = {StreamsCommand.class, QueryCommand.class},
        description = "finwatch's Kafka Streams side: FIN_WAIT2 anomaly detection and aggregates.")
public final class StreamsMain implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.run(new StreamsMain(), args));
    }

    /** Without a subcommand: the usage, and the exit code of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }
}
