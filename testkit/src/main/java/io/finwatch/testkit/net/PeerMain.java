package io.finwatch.testkit.net;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One end of a TCP connection, run by {@link Peer} inside a namespace: {@code server BIND_IP PORT} accepts one
 * connection, {@code client IP PORT} makes one. It then obeys commands on stdin, one per line, and answers each on
 * stdout: {@code shutdown} (shutdown(SHUT_WR): a FIN, the socket held), {@code write N} (N bytes), {@code close},
 * {@code exit}. Nothing is ever read from the connection, so the data the other end sends stays unread.
 */
public final class PeerMain {
    private PeerMain() {
    }

    public static void main(String[] args) throws Exception {
        String role = args[0];
        InetAddress ip = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        Socket socket;
        if (role.equals("server")) {
            ServerSocket listener = new ServerSocket();
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(ip, port));
            say("listening " + listener.getLocalPort());
            socket = listener.accept();
            say("accepted " + socket.getLocalPort() + " " + socket.getPort());
        } else {
            socket = new Socket(ip, port);
            say("connected " + socket.getLocalPort() + " " + socket.getPort());
        }
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            String[] c = line.strip().split(" ");
            switch (c[0]) {
                case "shutdown" -> socket.shutdownOutput();
                case "write" -> {
                    OutputStream out = socket.getOutputStream();
                    out.write(new byte[Integer.parseInt(c[1])]);
                    out.flush();
                }
                case "close" -> socket.close();
                case "exit" -> {
                    say("ok exit");
                    System.exit(0);
                }
                default -> {
                    say("unknown " + line);
                    continue;
                }
            }
            say("ok " + c[0]);
        }
        // stdin closed: the test is gone; hold nothing longer than it.
        System.exit(0);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
