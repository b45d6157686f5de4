package io.finwatch.collector.cli;

import io.finwatch.collector.kernel.Procfs;
import java.io.IOException;
import java.net.InetAddress;

/** The host name events are keyed by. */
public final class HostName {
    private HostName() {
    }

    /**
     * The kernel's host name as the procfs root sees it (with the host's /proc mounted, the host's own UTS name
     * when the pod shares the host's UTS namespace), else what the JDK resolves.
     */
    public static String detect(Procfs procfs) {
        try {
            String name = Procfs.readSmall(procfs.sysctl("kernel.hostname"));
            if (name != null && !name.isBlank()) {
                return name.trim();
            }
        } catch (IOException ignored) {
            // fall back to the JDK below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
