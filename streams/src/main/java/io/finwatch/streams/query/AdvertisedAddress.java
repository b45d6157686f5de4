package io.finwatch.streams.query;

import io.finwatch.common.config.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address other instances reach this one's API at ({@code application.server}) when none is configured: the
 * HTTP listen address, except that a wildcard bind (0.0.0.0, ::) is no address to connect to, so the machine's
 * host name stands in for it.
 */
public final class AdvertisedAddress {

    private AdvertisedAddress() {
    }

    public static HostPort of(HostPort listen, int boundPort) {
        return new HostPort(isWildcard(listen.host()) ? localHostName() : listen.host(), boundPort);
    }

    static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getCanonicalHostName();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("--http binds every interface and this machine's host name does not resolve (" + e.getMessage()
                    + "): set --application-server HOST:PORT to the address other instances reach this one at", e);
        }
    }
}
