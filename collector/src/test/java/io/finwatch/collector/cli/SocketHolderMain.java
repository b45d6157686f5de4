package io.finwatch.collector.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A process holding real sockets for a test: a loopback listener and an established pair through it. Prints
 * {@code READY <port>} once they exist, then holds them until its stdin closes or it is killed.
 */
public final class SocketHolderMain {
    private SocketHolderMain() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             Socket accepted = listener.accept()) {
            System.out.println("READY " + listener.getLocalPort());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the test closes our stdin
            }
        }
    }
}
