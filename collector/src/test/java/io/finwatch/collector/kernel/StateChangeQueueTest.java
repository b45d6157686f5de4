package io.finwatch.collector.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The queue empties the kernel's rings on its own thread, so more changes than a ring holds can come between two
 * polls without loss; and past its own limit it counts the rest lost, so the poll reads every namespace. On real
 * loopback connections, with rings of two pages.
 */
class StateChangeQueueTest {
    private static final int PAGES = 2;
    private static final int BATCHES = 12;
    private static final int PER_BATCH = 10;

    @Test
    void moreChangesThanARingHoldsBetweenTwoTakesAreAllKept() throws Exception {
        try (StateChangeQueue queue = StateChangeQueue.start(StateChangeFeed.open(Path.of("/"), PAGES));
             ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            queue.take();
            Set<Integer> ports = new HashSet<>();
            for (int b = 0; b < BATCHES; b++) {
                long before = queue.changesTotal();
                ports.addAll(closeConnections(server, PER_BATCH));
                // Each connection's client end alone makes three changes (FIN_WAIT1, FIN_WAIT2, CLOSE).
                await().atMost(Duration.ofSeconds(10)).until(() -> queue.changesTotal() >= before + 3L * PER_BATCH);
            }
            StateChangeQueue.Taken taken = queue.take();
            long ours = taken.changes().stream().filter(c -> ports.contains(c.localPort())).count();
            // Every batch but the last was drained whole before the next began (the last may still be arriving).
            // The rings, two 4 KiB pages per CPU, hold about 80 samples of ~100 bytes each: fewer than these.
            long ringsHold = (long) Runtime.getRuntime().availableProcessors() * PAGES * 4096 / 100;
            assertThat(ours).isGreaterThanOrEqualTo(3L * (BATCHES - 1) * PER_BATCH).isGreaterThan(ringsHold);
            assertThat(taken.lost()).isZero();
            assertThat(queue.lostTotal()).isZero();
        }
    }

    @Test
    void pastItsLimitTheRestIsCountedLost() throws Exception {
        try (StateChangeQueue queue = StateChangeQueue.start(StateChangeFeed.open(Path.of("/")), 5);
             ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            queue.take();
            closeConnections(server, 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> queue.lostTotal() > 0);
            StateChangeQueue.Taken taken = queue.take();
            assertThat(taken.changes()).hasSize(5);
            assertThat(taken.lost()).isPositive().isEqualTo(queue.lostTotal());
            StateChangeQueue.Taken next = queue.take();
            assertThat(next.lost()).as("a take starts counting anew").isZero();
        }
    }

    /** Opens and closes {@code n} connections (the client closes first); returns the clients' ports. */
    private static List<Integer> closeConnections(ServerSocket server, int n) throws IOException {
        Integer[] ports = new Integer[n];
        for (int i = 0; i < n; i++) {
            try (Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                ports[i] = client.getLocalPort();
                client.close();
            }
        }
        return List.of(ports);
    }

}
