package io.finwatch.collector.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.finwatch.collector.buffer.BufferReader;
import io.finwatch.collector.buffer.BufferSettings;
import io.finwatch.collector.buffer.EventBuffer;
import io.finwatch.collector.buffer.StoredEvent;
import io.finwatch.collector.events.EventFactory;
import io.finwatch.collector.kernel.HostReader;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import io.finwatch.collector.track.HostState;
import io.finwatch.schemas.CollectorHeartbeat;
import io.finwatch.schemas.SocketTransition;
import io.finwatch.schemas.serde.FinwatchSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heartbeat marks the polls that reported the whole table ({@code full_table_from_seq}): the first poll of a
 * run and the re-send after shedding, and only when nothing of it was shed. Downstream closes every episode such a
 * poll left out, so a marked table with holes would end live episodes, and an unmarked re-send would leave dead
 * ones open for ever. Runs over a copy of the fixture procfs tree, whose table the test edits between polls.
 */
class FullTableMarkerTest {

    private static final Path FIXTURE = Paths.get("src/test/resources/fixtures/procfs-golden");
    private static final long CAP = 16 * 1024;

    @TempDir
    Path dir;
    private Path tcp;
    private String original;
    private EventBuffer buffer;
    private HostReader host;
    private PollLoop loop;
    private BufferReader reader;

    @BeforeEach
    void start() throws IOException {
        Path root = dir.resolve("proc");
        FixtureTree.copy(FIXTURE, root);
        tcp = root.resolve("1/net/tcp");
        original = Files.readString(tcp);
        buffer = EventBuffer.open(BufferSettings.defaults(dir.resolve("buffer")).withMaxBytes(CAP, 64 * 1024));
        host = HostReader.open(new Procfs(root), SocketSource.Kind.PROCFS);
        HostState state = new HostState(Clock.systemUTC(), HostState.Settings.defaults(), host.finTimeouts(), null);
        loop = new PollLoop(host, state, new EventFactory("fixture-host", "c1"), FinwatchSerde.shared(), buffer, () -> { },
                new CollectorMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), 1000, CAP, "test");
        reader = buffer.openReader("test");
    }

    @AfterEach
    void stop() {
        reader.close();
        host.close();
        buffer.close();
    }

    @Test
    void onlyShedFreeFullTablesAreMarked() throws IOException {
        loop.tick();
        Poll first = drain();
        assertThat(first.heartbeat().getFullTableFromSeq()).isZero();
        assertThat(first.heartbeat().getOwnerLookup()).as("attribution is off: nothing looked up, nothing to report").isNull();
        assertThat(first.transitions()).hasSize((int) first.heartbeat().getSocketsSeen()).allMatch(t -> t.getFromState() == null);

        loop.tick();
        assertThat(drain().heartbeat().getFullTableFromSeq()).as("a poll of changes only").isNull();

        // A burst of new sockets overflows the cap while nothing is acknowledged (Kafka away): part of it is shed.
        Files.writeString(tcp, original + burst(200), StandardCharsets.US_ASCII);
        loop.tick();
        Poll overflow = drain();
        assertThat(overflow.heartbeat().getShedRanges()).isNotEmpty();
        assertThat(overflow.heartbeat().getFullTableFromSeq()).isNull();

        // The burst ends while the buffer is still full: no room for a re-send yet, so none, and no marker.
        Files.writeString(tcp, original, StandardCharsets.US_ASCII);
        loop.tick();
        Poll stillFull = drain();
        assertThat(stillFull.heartbeat().getFullTableFromSeq()).isNull();
        assertThat(stillFull.transitions()).noneMatch(t -> t.getFromState() == null);

        // Kafka catches up: the next poll re-sends the whole table, shed-free, and says so.
        buffer.acknowledge(stillFull.last());
        loop.tick();
        Poll resent = drain();
        CollectorHeartbeat hb = resent.heartbeat();
        assertThat(hb.getFullTableFromSeq()).isEqualTo(resent.transitions().get(0).getSeq());
        assertThat(resent.transitions()).hasSize((int) hb.getSocketsSeen()).allMatch(t -> t.getFromState() == null)
                .allMatch(t -> t.getSeq() >= hb.getFullTableFromSeq() && t.getSeq() < hb.getSeq());
    }

    /** The events one tick appended: its transitions, then its heartbeat. */
    private record Poll(List<SocketTransition> transitions, CollectorHeartbeat heartbeat, StoredEvent last) {
    }

    private Poll drain() {
        List<SocketTransition> transitions = new ArrayList<>();
        StoredEvent last = null;
        for (StoredEvent e = reader.next(); e != null; e = reader.next()) {
            last = e;
            SpecificRecord r = FinwatchSerde.shared().decodeAny(e.event().payload());
            if (r instanceof SocketTransition t) {
                transitions.add(t);
            } else {
                return new Poll(transitions, (CollectorHeartbeat) r, last);
            }
        }
        throw new AssertionError("the tick appended no heartbeat");
    }

    /** {@code n} ESTABLISHED loopback connections in the kernel's format, on inodes the fixture does not use. */
    private static String burst(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%4d: 0100007F:%04X 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 %d 1 "
                    + "0000000000000000 20 4 0 10 -1%n", 100 + i, 20000 + i, 900_000 + i));
        }
        return sb.toString();
    }
}
