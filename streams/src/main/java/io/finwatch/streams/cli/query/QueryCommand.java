package io.finwatch.streams.cli.query;

import io.finwatch.common.config.Cli;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code query}: reads the detector's live state through its query API (docs/api.md) and prints it as tables,
 * or as the API's JSON with {@code --json}.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        subcommands = {HostsCommand.class, FinWait2Command.class, CloseWaitCommand.class, PairsCommand.class, ProcessesCommand.class, AnomaliesCommand.class, TopCommand.class},
        description = {"Ask a running detector about hosts, stuck sockets, processes and anomalies.",
                "The token, when the API requires one, is read from FINWATCH_HTTP_TOKEN."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:the API answered with an error (bad parameter, unknown host, token missing or wrong, unavailable)",
                "2:usage error", "3:the API cannot be reached at --url"})
public final class QueryCommand implements Callable<Integer>, Cli.ReadsEnvironment {

    static final String TOKEN_ENV = "FINWATCH_HTTP_TOKEN";
    static final String TRUSTSTORE_PASSWORD_ENV = "FINWATCH_TRUSTSTORE_PASSWORD";

    @Spec
    CommandSpec spec;

    private final Map<String, String> env;
    private final Clock clock;

    public QueryCommand() {
        this(System.getenv(), Clock.systemDefaultZone());
    }

    /** With a given environment (the token) and clock (relative and local times), as tests run it. */
    public QueryCommand(Map<String, String> env, Clock clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Set<String> environmentVariables() {
        return Set.of(TOKEN_ENV, TRUSTSTORE_PASSWORD_ENV);
    }

    /** Without a subcommand: the usage, and the exit code of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    int execute(CommandSpec sub, QueryOptions options, ApiCommand command) throws InterruptedException {
        PrintWriter out = sub.commandLine().getOut();
        PrintWriter err = sub.commandLine().getErr();
        SSLContext tls = null;
        if (options.truststore != null) {
            String password = env.get(TRUSTSTORE_PASSWORD_ENV);
            try {
                tls = Truststores.load(options.truststore, password == null ? null : password.toCharArray());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(sub.commandLine(), e.getMessage(), e);
            }
        }
        String scheme = options.url.getScheme();
        if (options.url.getHost() == null || !("http".equals(scheme) || "https".equals(scheme))) {
            throw new ParameterException(sub.commandLine(), "--url " + options.url + ": expected http://HOST:PORT or https://HOST:PORT");
        }
        ApiClient api = new ApiClient(options.url, env.get(TOKEN_ENV), tls, options.timeout);
        try {
            command.run(new QueryContext(api, out, err, options.json, new Human(clock), clock));
            return ExitCodes.OK;
        } catch (ApiError e) {
            err.println("finwatch: " + e.oneLine());
            return ExitCodes.API_ERROR;
        } catch (ApiUnreachable e) {
            err.println("finwatch: " + e.oneLine());
            return ExitCodes.UNREACHABLE;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
