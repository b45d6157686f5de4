package io.finwatch.collector.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code finwatch repro}: placeholder until the reproducer lands. */
@Command(name = "repro", mixinStandardHelpOptions = true, hidden = true,
        description = "Creates real attached and orphaned FIN_WAIT_2 sockets on loopback.")
public final class ReproCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("finwatch repro: not available yet");
        return 2;
    }
}
