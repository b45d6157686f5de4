package io.finwatch.testkit.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process inside a {@link Netns} holding one end of a real TCP connection ({@link PeerMain} in a small JVM,
 * started with {@code ip netns exec}), driven by commands: {@link #shutdownOutput} sends a FIN and keeps the
 * socket (shutdown(SHUT_WR) without close(), the leak), {@link #close}, {@link #write}; {@link #kill} is kill -9.
 * The connection's data is never read. A client is an AF_INET6 socket, as every Java client is
 * ({@code ::ffff:a.b.c.d} in tcp6), unless made {@linkplain #client(Netns, String, int, boolean) IPv4-only}.
 */
public final class Peer implements AutoCloseable {
    private static final Duration ANSWER = Duration.ofSeconds(30);

    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private int localPort;
    private int remotePort;

    private Peer(Process process) {
        this.process = process;
        this.commands = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process is gone
            }
            lines.add("<exited>");
        }, "peer-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** A server listening on {@code bindIp:port} in {@code ns}; returns once it listens. */
    public static Peer server(Netns ns, String bindIp, int port) throws IOException {
        Peer p = start(ns, false, "server", bindIp, port);
        p.expect("listening");
        return p;
    }

    /** A client in {@code ns} connected to {@code ip:port} (AF_INET6, {@code ::ffff:} mapped for IPv4). */
    public static Peer client(Netns ns, String ip, int port) throws IOException {
        return client(ns, ip, port, false);
    }

    /** A client; {@code ipv4Only} makes its socket AF_INET (java.net.preferIPv4Stack). Returns once connected. */
    public static Peer client(Netns ns, String ip, int port, boolean ipv4Only) throws IOException {
        Peer p = start(ns, ipv4Only, "client", ip, port);
        String[] connected = p.expect("connected").split(" ");
        p.localPort = Integer.parseInt(connected[1]);
        p.remotePort = Integer.parseInt(connected[2]);
        return p;
    }

    private static Peer start(Netns ns, boolean ipv4Only, String role, String ip, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns.name(), java,
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-Xss512k"));
        if (ipv4Only) {
            command.add("-Djava.net.preferIPv4Stack=true");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PeerMain.class.getName(), role, ip,
                Integer.toString(port)));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ns.track(process);
        return new Peer(process);
    }

    /** Server: waits for the connection to be accepted. */
    public Peer accepted() throws IOException {
        String[] accepted = expect("accepted").split(" ");
        localPort = Integer.parseInt(accepted[1]);
        remotePort = Integer.parseInt(accepted[2]);
        return this;
    }

    /** shutdown(SHUT_WR): sends a FIN, keeps the socket open. */
    public void shutdownOutput() throws IOException {
        command("shutdown");
    }

    /** Sends {@code bytes} zero bytes. */
    public void write(int bytes) throws IOException {
        command("write " + bytes);
    }

    /** close(): the socket is released to the kernel (an orphan from then on, if still closing). */
    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            command("close");
        }
    }

    /** kill -9 of the process. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public long pid() {
        return process.pid();
    }

    /** The connection's local port (known once connected, or for a server once accepted). */
    public int localPort() {
        return localPort;
    }

    /** The connection's remote port as this end sees it. */
    public int remotePort() {
        return remotePort;
    }

    private void command(String c) throws IOException {
        commands.write((c + "\n").getBytes(StandardCharsets.UTF_8));
        commands.flush();
        expect("ok " + c.split(" ")[0]);
    }

    private String expect(String prefix) throws IOException {
        long deadline = System.nanoTime() + ANSWER.toNanos();
        while (true) {
            String line;
            try {
                line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for '" + prefix + "'");
            }
            if (line == null || line.equals("<exited>")) {
                throw new IOException("peer " + process.pid() + ": no '" + prefix + "' (" + (line == null
                        ? "none in " + ANSWER.toSeconds() + " s" : "it exited") + "; said " + seen + ")");
            }
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }
}
