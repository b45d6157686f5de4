package io.finwatch.collector.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.finwatch.collector.socket.InetText;
import io.finwatch.collector.socket.SocketKey;
import io.finwatch.collector.socket.SocketRow;
import io.finwatch.collector.socket.TcpState;
import io.finwatch.collector.socket.TimerKind;
import io.finwatch.collector.track.FinTimeout;
import io.finwatch.collector.track.NetNamespace;
import io.finwatch.collector.track.Owner;
import io.finwatch.collector.track.PollResult;
import io.finwatch.collector.track.ReapTime;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** Renders one poll as the snapshot command's table or JSON lines. */
final class SnapshotPrinter {
    private static final Comparator<SocketRow> ORDER = Comparator
            .comparingLong((SocketRow r) -> r.key().netns())
            .thenComparingInt(r -> r.key().family())
            .thenComparing(r -> r.state().ordinal())
            .thenComparingLong(r -> r.key().localLo())
            .thenComparingInt(r -> r.key().localPort())
            .thenComparingInt(r -> r.key().remotePort())
            .thenComparingInt(r -> r.key().ordinal());

    private final PollResult poll;
    private final Set<TcpState> states;

    SnapshotPrinter(PollResult poll, Set<TcpState> states) {
        this.poll = poll;
        this.states = states == null || states.isEmpty() ? null : states;
    }

    private List<SocketRow> rows() {
        List<SocketRow> rows = new ArrayList<>(poll.table().size());
        for (SocketRow r : poll.table().rows()) {
            if (states == null || states.contains(r.state())) {
                rows.add(r);
            }
        }
        rows.sort(ORDER);
        return rows;
    }

    /** One object per socket: the fields documented for {@code snapshot --json}. */
    void jsonLines(Writer out) throws IOException {
        JsonGenerator g = new JsonFactory().createGenerator(out);
        g.setRootValueSeparator(null);
        for (SocketRow r : rows()) {
            SocketKey k = r.key();
            Owner owner = poll.ownerOf(r);
            FinTimeout fin = poll.finTimeoutOf(k.netns());
            g.writeStartObject();
            g.writeNumberField("netns", k.netns());
            g.writeNumberField("family", k.family());
            g.writeStringField("local_ip", k.localIp());
            g.writeNumberField("local_port", k.localPort());
            g.writeStringField("remote_ip", k.remoteIp());
            g.writeNumberField("remote_port", k.remotePort());
            g.writeStringField("state", r.state().name());
            g.writeNumberField("inode", r.inode());
            g.writeNumberField("uid", r.uid());
            if (owner == null) {
                g.writeNullField("pid");
                g.writeNullField("comm");
                g.writeNullField("container_id");
                g.writeNullField("pod_uid");
            } else {
                g.writeNumberField("pid", owner.process().pid());
                g.writeStringField("comm", owner.process().comm());
                g.writeStringField("container_id", owner.process().containerId());
                g.writeStringField("pod_uid", owner.process().podUid());
            }
            g.writeBooleanField("orphaned", r.orphaned());
            g.writeStringField("timer", r.timer().name().toLowerCase(java.util.Locale.ROOT));
            g.writeNumberField("timer_ms", r.timerMs());
            if (fin == null) {
                g.writeNullField("fin_timeout_s");
                g.writeNullField("fin_timeout_source");
            } else {
                g.writeNumberField("fin_timeout_s", fin.seconds());
                g.writeStringField("fin_timeout_source", fin.source().name());
            }
            if (r.shutdown() == null) {
                g.writeNullField("shutdown");
            } else {
                g.writeStringField("shutdown", r.shutdown().name());
            }
            if (r.stateSinceMs() == 0) {
                g.writeNullField("state_since_ms");
                g.writeNullField("state_since_source");
            } else {
                g.writeNumberField("state_since_ms", r.stateSinceMs());
                g.writeStringField("state_since_source", r.sinceKernel() ? "KERNEL" : "OBSERVED");
            }
            g.writeNumberField("recv_q", r.rxQueue());
            g.writeNumberField("send_q", r.txQueue());
            Long reapAt = ReapTime.reapAtMs(r, poll.observedAt().toEpochMilli(), fin == null ? 0 : fin.seconds());
            if (reapAt == null) {
                g.writeNullField("reap_at_ms");
            } else {
                g.writeNumberField("reap_at_ms", reapAt);
            }
            g.writeEndObject();
            g.flush();
            out.write('\n');
        }
        g.flush();
    }

    /** A readable table per namespace, with a header naming its fin timeout. */
    void table(Writer out) throws IOException {
        List<SocketRow> rows = rows();
        long currentNetns = Long.MIN_VALUE;
        String fmt = "%-12s %-46s %-46s %9s %6s %-24s %s%n";
        int fw2Attached = 0;
        int fw2Orphaned = 0;
        for (SocketRow r : rows) {
            SocketKey k = r.key();
            if (k.netns() != currentNetns) {
                currentNetns = k.netns();
                out.write(namespaceHeader(currentNetns));
                out.write(String.format(fmt, "STATE", "LOCAL", "REMOTE", "INODE", "UID", "PROCESS", "TIMER"));
            }
            if (r.state() == TcpState.FIN_WAIT2) {
                if (r.orphaned()) {
                    fw2Orphaned++;
                } else {
                    fw2Attached++;
                }
            }
            out.write(String.format(fmt, r.state().name(),
                    InetText.endpoint(k.family(), k.localHi(), k.localLo(), k.localPort()),
                    InetText.endpoint(k.family(), k.remoteHi(), k.remoteLo(), k.remotePort()),
                    r.inode() == 0 ? "orphan" : Long.toString(r.inode()), r.uid(), process(r), timer(r)));
        }
        out.write(String.format("%n%d sockets in %d namespaces; FIN_WAIT2: %d attached (never reaped by the kernel), "
                        + "%d orphaned (reaped after tcp_fin_timeout)%n",
                rows.size(), poll.namespaces().size(), fw2Attached, fw2Orphaned));
    }

    private String namespaceHeader(long netns) {
        NetNamespace ns = poll.namespaces().get(netns);
        FinTimeout fin = poll.finTimeoutOf(netns);
        String finText = fin == null ? "unknown" : fin.seconds() + "s" + switch (fin.source()) {
            case NAMESPACE -> "";
            case HOST_FALLBACK -> " (host value: could not enter the namespace)";
            case POD_SPEC -> " (the pod's spec)";
        };
        String pod = poll.podOfNetns().get(netns);
        return String.format("%nnetns %d%s%s  tcp_fin_timeout %s  read via pid %s%n", netns,
                netns == poll.namespaces().hostNetns() ? " (host)" : "", pod == null ? "" : "  pod " + pod, finText,
                ns == null ? "?" : Integer.toString(ns.representativePid()));
    }

    private String process(SocketRow r) {
        Owner o = poll.ownerOf(r);
        if (o != null) {
            return o.process().pid() + "/" + o.process().comm();
        }
        var last = poll.lastOwnerOf(r);
        return last == null ? "-" : "(was " + last.owner().process().pid() + "/" + last.owner().process().comm() + ")";
    }

    private static String timer(SocketRow r) {
        if (r.timer() == TimerKind.OFF) {
            return "-";
        }
        return r.timer().name().toLowerCase(java.util.Locale.ROOT) + " " + r.timerMs() + "ms";
    }
}
