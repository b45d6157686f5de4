package io.finwatch.local;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks a listen address before anything starts, so a taken port costs one clear line and leaves nothing running. */
final class Ports {
    private Ports() {
    }

    /** @throws IllegalStateException naming the address and the option that changes it */
    static void requireFree(String host, int port, String option) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new IllegalStateException("port " + port + " on " + host + " is already in use (" + option
                    + "); choose another with " + option);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + host + ":" + port + " (" + option + "): " + e.getMessage());
        }
    }
}
