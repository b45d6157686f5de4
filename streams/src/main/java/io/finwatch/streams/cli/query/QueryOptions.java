package io.finwatch.streams.cli.query;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options every query subcommand takes. Like every finwatch option each can come from the environment
 * ({@code FINWATCH_URL}) or {@code --config FILE}. The token has no option on purpose: a secret on a command line
 * is visible to every user in {@code ps}, so it is read from {@code FINWATCH_HTTP_TOKEN} only.
 */
public final class QueryOptions {

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "The query API of any detector instance (every instance answers for the fleet). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--json", description = "Print the API's JSON as it came (for scripts) instead of a table.")
    boolean json;

    @Option(names = "--truststore", paramLabel = "FILE",
            description = "PKCS12/JKS store trusted for an https URL (password, if any, from FINWATCH_TRUSTSTORE_PASSWORD).")
    Path truststore;

    @Option(names = "--timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "How long to wait for a connection and for an answer. Default: ${DEFAULT-VALUE}.")
    Duration timeout;
}
