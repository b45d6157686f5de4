package io.finwatch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A loopback port for a server a test starts itself, possibly more than once on the same port.
 *
 * <p>A port from {@code new ServerSocket(0)} lies in the kernel's ephemeral range, which it also hands out as
 * the local port of every outgoing connection: between the test closing its probe and the server binding, any
 * client on the machine (a broker's, another test's) may take it, and the server fails with "address in use".
 * Ports below that range are never given out implicitly, so only another explicit bind can take them.
 */
public final class FreePort {
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    private static final int LOWEST = 10_000;

    private FreePort() {
    }

    /** A port below the ephemeral range that is free on 127.0.0.1 now. */
    public static int belowEphemeralRange() throws IOException {
        int high = ephemeralLow();
        if (high - LOWEST < 1_000) {
            throw new IOException("ephemeral range starts at " + high + ": too few ports below it for tests");
        }
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, high);
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return probe.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port in [" + LOWEST + ", " + high + ") after 200 tries");
    }

    /** The first port of the kernel's ephemeral range (read as a stream: /proc/sys files truncate otherwise). */
    private static int ephemeralLow() throws IOException {
        try (InputStream in = Files.newInputStream(RANGE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(text.split("\\s+")[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IOException(RANGE + ": unexpected content", e);
        }
    }
}
