package io.finwatch.collector.daemon;

import io.finwatch.collector.Golden;
import io.finwatch.collector.buffer.BufferReader;
import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.StoredEvent;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.MutableClock;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.HostState;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.finwatch.schemas.serde.RecordJson;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transitions the collector emits between two moments of a host, end to end through the poll loop into the
 * buffer: the fixture tree fixtures/procfs-events/t0, then the same host one second later, t1 (what changed is in
 * its README.md). The expected events of t1's poll (its transitions, then its heartbeat with the poll's duration
 * zeroed), one JSON object per line in emitted order, are
 * fixtures/procfs-events.expected.jsonl; {@link Golden} says how to rewrite them when a change is intended.
 */
class EventStreamGoldenTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final Path TREE = FIXTURES.resolve("procfs-events");
    private static final long CAP = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void theTransitionsFromT0ToT1AreTheReviewedOnes() throws Exception {
        Path root = dir.resolve("proc");
        FixtureTree.copy(TREE.resolve("t0"), root);
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
        try (EventBuffer buffer = EventBuffer.open(BufferSettings.defaults(dir.resolve("buffer")).withClock(clock));
             BufferReader reader = buffer.openReader("golden");
             HostReader host = HostReader.open(new Procfs(root), SocketSource.Kind.PROCFS)) {
            HostState state = new HostState(clock, HostState.Settings.defaults(), host.finTimeouts(),
                    host.processes());
            PollLoop loop = new PollLoop(host, state, new EventFactory("golden-host", "golden-1"),
                    FinwatchSerde.shared(), buffer, () -> { }, new CollectorMetrics(new SimpleMeterRegistry()), clock,
                    1000, CAP, "golden");
            loop.tick();
            tick(reader);

            FixtureTree.replace(TREE.resolve("t1"), root);
            clock.advance(Duration.ofSeconds(1));
            loop.tick();

            StringBuilder out = new StringBuilder();
            for (SpecificRecord r : tick(reader)) {
                if (r instanceof CollectorHeartbeat h) {
                    h.setPollDurationUs(0L); // the one wall-clock figure in the stream
                }
                out.append(RecordJson.toJsonString(r)).append('\n');
            }
            Golden.assertMatches(FIXTURES.resolve("procfs-events.expected.jsonl"), out.toString());
        }
    }

    /** The events one tick appended: its transitions, then its heartbeat. */
    private static List<SpecificRecord> tick(BufferReader reader) {
        List<SpecificRecord> out = new ArrayList<>();
        for (StoredEvent e = reader.next(); e != null; e = reader.next()) {
            SpecificRecord r = FinwatchSerde.shared().decodeAny(e.event().payload());
            out.add(r);
            if (r instanceof CollectorHeartbeat) {
                return out;
            }
        }
        throw new AssertionError("the tick appended no heartbeat");
    }
}
