package io.finwatch.collector.track;

import java.util.List;

/**
 * Reads network namespaces' interface addresses for {@link NamespaceAddresses}. {@code kernel/AddressReader} asks
 * each namespace's routing netlink; tests fake it.
 */
public interface AddressPort {

    /**
     * One outcome per namespace asked, in the order asked.
     *
     * @param addresses the namespace's addresses as text (loopback and link-local left out), sorted; null when they
     *                  could not be read
     * @param failure   why they could not be read, else null
     */
    record Read(long netns, List<String> addresses, String failure) {
    }

    List<Read> read(List<NetNamespace> namespaces);
}
