package io.finwatch.testkit.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace of a {@link NetBed}, named {@code fwbed-<jvm pid>-<bed id>-<role>}, with its loopback up.
 * Made and deleted by its bed.
 */
public final class Netns {
    private final String name;
    private final String role;
    private final List<Process> processes = new ArrayList<>();

    Netns(String name, String role) {
        this.name = name;
        this.role = role;
    }

    /** The ip-netns name (what {@code collect --netns} and {@code --host-netns} take). */
    public String name() {
        return name;
    }

    /** The role the test gave it ("client", "router", ...). */
    public String role() {
        return role;
    }

    /** Its bind mount, {@code /run/netns/<name>}. */
    public Path path() {
        return Path.of("/run/netns", name);
    }

    /** The namespace's inode (the N of net:[N]), as the collector's events name it. */
    public long inode() throws IOException {
        return ((Number) Files.getAttribute(path(), "unix:ino")).longValue();
    }

    /** Runs a command inside the namespace ({@code ip netns exec}) to its end; returns its output. */
    public String exec(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return Cmd.run(null, full);
    }

    /** Starts a command inside the namespace; the bed kills it at the end. */
    public Process start(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        track(p);
        return p;
    }

    /** Sets a sysctl of this namespace (only a thread inside it can). */
    public void sysctl(String key, String value) throws IOException {
        exec("sysctl", "-q", "-w", key + "=" + value);
    }

    /** Reads a sysctl of this namespace. */
    public String sysctl(String key) throws IOException {
        return exec("sysctl", "-n", key).strip();
    }

    /** {@code net.ipv4.tcp_fin_timeout}: how long an orphaned FIN_WAIT2 socket lives here. */
    public void finTimeout(int seconds) throws IOException {
        sysctl("net.ipv4.tcp_fin_timeout", Integer.toString(seconds));
    }

    /** {@code net.ipv4.tcp_orphan_retries}: 3 ends an orphan's LAST_ACK retries in about 7 s instead of 107 s. */
    public void orphanRetries(int retries) throws IOException {
        sysctl("net.ipv4.tcp_orphan_retries", Integer.toString(retries));
    }

    /** Routes packets between this namespace's links ({@code net.ipv4.ip_forward=1}). */
    public void forwarding() throws IOException {
        sysctl("net.ipv4.ip_forward", "1");
    }

    /** Adds a route: {@code ip route add <destination> via <gateway>}; "default" for the default route. */
    public void route(String destination, String gateway) throws IOException {
        Cmd.run("ip", "-n", name, "route", "add", destination, "via", gateway);
    }

    /** Loads an nftables ruleset into this namespace ({@code nft -f -}). */
    public void nft(String ruleset) throws IOException {
        Cmd.run(ruleset, List.of("ip", "netns", "exec", name, "nft", "-f", "-"));
    }

    /**
     * DNAT as kube-proxy does for a Service: TCP to {@code vip:vport} arriving here (prerouting) or sent from here
     * (output) goes to {@code target:tport}.
     */
    public void dnat(String vip, int vport, String target, int tport) throws IOException {
        nft("table ip fwbed_nat {\n"
                + "  chain pre { type nat hook prerouting priority dstnat; policy accept;\n"
                + "    ip daddr " + vip + " tcp dport " + vport + " dnat to " + target + ":" + tport + "\n  }\n"
                + "  chain out { type nat hook output priority -100; policy accept;\n"
                + "    ip daddr " + vip + " tcp dport " + vport + " dnat to " + target + ":" + tport + "\n  }\n"
                + "}\n");
    }

    /** Masquerades connections this namespace DNATed to {@code target} (the server then sees this namespace's address). */
    public void masqueradeTo(String target) throws IOException {
        nft("table ip fwbed_snat {\n"
                + "  chain post { type nat hook postrouting priority srcnat; policy accept;\n"
                + "    ip daddr " + target + " ct status dnat masquerade\n  }\n"
                + "}\n");
    }

    /**
     * Drops every TCP FIN from {@code source} at {@code hook} ("input" on the end that waits for it, "forward" on a
     * router), as a lossy network would: the test-made FIN_LOST.
     */
    public void dropFinsFrom(String source, String hook) throws IOException {
        nft("table ip fwbed_drop_" + hook + " {\n"
                + "  chain c { type filter hook " + hook + " priority 0; policy accept;\n"
                + "    ip saddr " + source + " tcp flags & fin == fin counter drop\n  }\n"
                + "}\n");
    }

    /** Removes the FIN drop rule of {@code hook}. */
    public void stopDroppingFins(String hook) throws IOException {
        Cmd.run("ip", "netns", "exec", name, "nft", "delete", "table", "ip", "fwbed_drop_" + hook);
    }

    /** Takes an interface of this namespace down ({@code ip link set <dev> down}). */
    public void linkDown(String device) throws IOException {
        Cmd.run("ip", "-n", name, "link", "set", device, "down");
    }

    /** The pids of every process in the namespace ({@code ip netns pids}). */
    public List<Long> pids() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String line : Cmd.run("ip", "netns", "pids", name).split("\n")) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.strip()));
            }
        }
        return pids;
    }

    /** {@code conntrack -G} here for an ORIG tuple; null when the table has no such entry. */
    public String conntrackGet(String src, int sport, String dst, int dport) throws IOException {
        try {
            return exec("conntrack", "-G", "-p", "tcp", "-s", src, "-d", dst, "--sport", Integer.toString(sport),
                    "--dport", Integer.toString(dport)).strip();
        } catch (IOException e) {
            if (e.getMessage().contains("0 flow entries") || e.getMessage().contains("doesn't exist")) {
                return null;
            }
            throw e;
        }
    }

    void track(Process p) {
        synchronized (processes) {
            processes.add(p);
        }
    }

    /** Kills what this bed started in it, then every other process left in it (kill -9). */
    void killAll() {
        synchronized (processes) {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                try {
                    p.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            processes.clear();
        }
        NetBed.killPidsIn(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
