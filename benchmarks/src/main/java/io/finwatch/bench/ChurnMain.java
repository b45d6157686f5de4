package io.finwatch.bench;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.locks.LockSupport;

/**
 * Connections that open and close at a steady rate, run inside a namespace by {@link ConntrackHarness}:
 * {@code server IP PORT} accepts and closes each connection once its client has closed; {@code client IP PORT RATE}
 * opens RATE connections a second and closes each at once. The client closes first, so each connection leaves the
 * client in FIN_WAIT1, FIN_WAIT2 and TIME_WAIT (60 s) and the server in CLOSE_WAIT and LAST_ACK: every one of them is a
 * socket newly seen in a closing state.
 */
public final class ChurnMain {
    private ChurnMain() {
    }

    public static void main(String[] args) throws Exception {
        InetAddress ip = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("server")) {
            try (ServerSocket listener = new ServerSocket()) {
                listener.setReuseAddress(true);
                listener.bind(new InetSocketAddress(ip, port), 1024);
                System.out.println("listening");
                System.out.flush();
                java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();
                while (true) {
                    Socket s = listener.accept();
                    handlers.execute(() -> drainAndClose(s));
                }
            }
        }
        int rate = Integer.parseInt(args[3]);
        long every = 1_000_000_000L / rate;
        long next = System.nanoTime();
        System.out.println("churning");
        System.out.flush();
        while (true) {
            try (Socket s = new Socket(ip, port)) {
                s.getOutputStream().write(1);
            } catch (java.io.IOException e) {
                // a refused or reset connection is churn too; keep the rate
            }
            next += every;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private static void drainAndClose(Socket s) {
        try (s; InputStream in = s.getInputStream()) {
            while (in.read() >= 0) {
                // until the client's FIN
            }
        } catch (java.io.IOException ignored) {
            // reset: the connection is over either way
        }
    }
}
