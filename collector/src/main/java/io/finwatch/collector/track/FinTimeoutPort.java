package io.finwatch.collector.track;

import java.util.List;

/**
 * Reads namespaces' {@code net.ipv4.tcp_fin_timeout} for {@link FinTimeouts}. {@code kernel/FinTimeoutReader}
 * reads each inside its namespace; tests fake it.
 */
public interface FinTimeoutPort {

    /** One outcome per namespace asked, in the order asked. */
    List<FinTimeoutRead> read(List<NetNamespace> namespaces);
}
