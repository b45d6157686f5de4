package io.finwatch.collector.cli;

import io.finwatch.collector.kernel.NetnsSelection;
import io.finwatch.collector.kernel.Procfs;
import io.finwatch.collector.kernel.SocketSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How the socket tables are read, and which: the same options for {@code snapshot}, {@code collect} and
 * {@code local}.
 */
public final class SocketReadOptions {

    @Option(names = "--path.procfs", defaultValue = "/proc", paramLabel = "DIR",
            description = "procfs root; /host/proc in a container that mounts the host's /proc there (default: ${DEFAULT-VALUE}).")
    Path procfs;

    // Declared by its positive name: picocli gives a switch declared as --no-owners the opposite meaning (--no-owners
    // left owners on and --owners turned them off). Also FINWATCH_OWNERS=false, or owners=false in a --config file.
    @Option(names = "--owners", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Map sockets to processes through /proc/<pid>/fd; --no-owners skips it (default: on).")
    boolean owners;

    @Option(names = "--source", paramLabel = "procfs|netlink",
            description = "Where sockets are read from: netlink (sock_diag, cheaper for the kernel) or procfs "
                    + "(<pid>/net/tcp files). Default: netlink for /proc, procfs for any other --path.procfs.")
    SocketSource.Kind source;

    @Option(names = "--netns", split = ",", paramLabel = "NETNS",
            description = "Watch only these network namespaces (repeatable or comma-separated): an inode (the N of "
                    + "net:[N]), a path (/proc/<pid>/ns/net, a bind mount) or an ip-netns name (/run/netns/<name>). "
                    + "Names and paths are resolved at every poll, so a namespace made later is watched once it "
                    + "exists and has a process. For test beds and benchmarks that run one collector per namespace, "
                    + "each as its own --host (default: every namespace).")
    List<String> netns;

    @Option(names = "--host-netns", paramLabel = "NETNS",
            description = "The namespace taken as this host's, where conntrack lookups find the host's NAT: a path "
                    + "or an ip-netns name; in a test bed the namespace that routes and NATs for the watched ones "
                    + "(default: pid 1's).")
    String hostNetns;

    /** The namespaces watched and the host's ({@code --netns}, {@code --host-netns}). */
    public NetnsSelection netns() {
        return NetnsSelection.of(netns == null ? List.of() : netns, hostNetns);
    }

    /** @throws IllegalArgumentException naming the option when the root is not a directory */
    public Procfs procfs() {
        if (!Files.isDirectory(procfs)) {
            throw new IllegalArgumentException("--path.procfs " + procfs + ": not a directory (the procfs root: /proc, or "
                    + "/host/proc where a container mounts the host's)");
        }
        return new Procfs(procfs);
    }

    /** The chosen source, or the default for the procfs root. */
    public SocketSource.Kind source() {
        return source != null ? source : SocketSource.Kind.defaultFor(procfs());
    }

    /** Whether sockets are mapped to their processes ({@code --[no-]owners}). */
    public boolean owners() {
        return owners;
    }
}
