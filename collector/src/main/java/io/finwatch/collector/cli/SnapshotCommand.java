package io.finwatch.collector.cli;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.track.HostState;
import io.finwatch.collector.track.PollResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code finwatch snapshot}: the socket table of every network namespace, once. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Prints the TCP socket table of every network namespace on this host, with each socket's owning "
                + "process and its namespace's tcp_fin_timeout. Root (or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH) sees "
                + "every process; CAP_SYS_ADMIN is needed to read each namespace's own fin timeout (otherwise the host "
                + "value is shown, marked as a fallback).")
public final class SnapshotCommand implements Callable<Integer> {

    @Mixin
    SocketReadOptions read;

    @Option(names = "--json", description = "One JSON object per socket per line instead of a table.")
    boolean json;

    @Option(names = "--state", split = ",", paramLabel = "STATE",
            description = "Only sockets in these states, e.g. FIN_WAIT2,CLOSE_WAIT (kernel names).")
    Set<TcpState> states;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with option defaults.")
    Path config;

    @Override
    public Integer call() throws IOException {
        PollResult poll;
        try (HostReader host = HostReader.open(read.procfs(), read.source(), read.netns())) {
            HostState state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), host.finTimeouts(),
                    read.owners() ? host.processes() : null);
            poll = state.apply(host.read(state.nextRead()));
        }
        PrintStream err = System.err;
        poll.errors().forEach(e -> err.println("finwatch: " + e.message()));
        poll.readFailures().forEach(f -> err.println("finwatch: " + f));
        try (Writer out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)) {
            SnapshotPrinter printer = new SnapshotPrinter(poll, states);
            if (json) {
                printer.jsonLines(out);
            } else {
                printer.table(out);
            }
        }
        return poll.errors().isEmpty() && poll.readFailures().isEmpty() ? 0 : 3;
    }
}
