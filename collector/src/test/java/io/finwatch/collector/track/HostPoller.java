package io.finwatch.collector.track;

import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/** A host reader and the state it feeds, polled as the collector's loop polls them. */
final class HostPoller implements AutoCloseable {
    private final HostReader host;
    private final HostState state;

    HostPoller(Procfs procfs, Clock clock, boolean attribution, SocketSource.Kind source, Duration wholeReadEvery) {
        host = HostReader.open(procfs, source);
        state = new HostState(clock, HostState.Settings.defaults().withWholeReadEvery(wholeReadEvery),
                host.finTimeouts(), attribution ? host.processes() : null);
    }

    PollResult poll() throws IOException {
        return state.apply(host.read(state.nextRead()));
    }

    @Override
    public void close() {
        host.close();
    }
}
