package io.finwatch.collector.daemon;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Steady socket churn for collector tests, run inside a test namespace: every few milliseconds a loopback
 * connection is opened, held briefly and closed, so each poll sees new, changed and vanished sockets.
 * Runs until stdin closes or it is killed.
 */
public final class ChurnMain {
    public static void main(String[] args) throws Exception {
        long pauseMs = args.length > 0 ? Long.parseLong(args[0]) : 20;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
            System.out.println("READY " + server.getLocalAddress());
            System.out.flush();
            Thread watchdog = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // parent alive
                    }
                } catch (Exception ignored) {
                    // parent gone
                }
                System.exit(0);
            });
            watchdog.setDaemon(true);
            watchdog.start();
            SocketChannel previousClient = null;
            SocketChannel previousServer = null;
            while (true) {
                SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept();
                // Close the previous pair: client first, so it passes FIN_WAIT2 on its way to TIME_WAIT.
                if (previousClient != null) {
                    previousClient.close();
                    previousServer.close();
                }
                previousClient = client;
                previousServer = accepted;
                Thread.sleep(pauseMs);
            }
        }
    }

    private ChurnMain() {
    }
}
