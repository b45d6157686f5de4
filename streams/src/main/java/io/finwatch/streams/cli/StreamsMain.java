package io.finwatch.streams.cli;

import io.finwatch.common.config.Cli;
import picocli.CommandLine.Command;

/**
 * Entry point of the streams module: {@code StreamsMain streams [options]} runs the detector. Further
 * subcommands (the query client) join the list below.
 */
@Command(name = "finwatch", mixinStandardHelpOptions = true, subcommands = {StreamsCommand.class},
        description = "finwatch's Kafka Streams side: FIN_WAIT2 anomaly detection and aggregates.")
public final class StreamsMain implements Runnable {

    public static void main(String[] args) {
        System.exit(Cli.run(new StreamsMain(), args));
    }

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "a subcommand is required (streams)");
    }
}
