package io.finwatch.common.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * One line saying why Kafka at the bootstrap addresses cannot be used, for commands that cannot work without it
 * ({@code streams}, {@code tail}). The Kafka client says "Failed to create new KafkaAdminClient" or times out after
 * its own retries; this looks at each address itself (DNS, then a TCP connect) and at the client's failure (TLS,
 * authentication), so the user reads which address failed and why.
 */
public final class BrokerUnreachable {

    private static final int CONNECT_TIMEOUT_MS = 2000;

    private BrokerUnreachable() {
    }

    /**
     * @param bootstrapServers as configured ({@code host:port,...})
     * @param option           the option (or variable) that set it
     * @param failure          what the Kafka client threw; its TLS or authentication cause is named when present
     */
    public static String explain(String bootstrapServers, String option, Throwable failure) {
        String client = clientCause(failure);
        StringBuilder line = new StringBuilder("cannot use Kafka at ").append(bootstrapServers).append(" (").append(option).append("): ");
        if (client != null) {
            return line.append(client).toString();
        }
        List<String> reasons = new ArrayList<>();
        for (String address : bootstrapServers.split(",")) {
            reasons.add(probe(address.trim()));
        }
        return line.append(String.join("; ", reasons)).toString();
    }

    /** A TLS or authentication failure anywhere in the chain, said plainly; null when there is none. */
    public static String clientCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                return "the TLS handshake failed (" + rootMessage(t) + "); check ssl.* in the client properties and the broker's certificate";
            }
            if (t instanceof SaslAuthenticationException || t instanceof AuthenticationException) {
                return "authentication failed (" + rootMessage(t) + "); check sasl.* and the credentials";
            }
        }
        return null;
    }

    /** What happens when this address is looked up and connected to. */
    static String probe(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            return address + ": not host:port";
        }
        String host = address.substring(0, colon).replaceAll("^\\[|]$", "");
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return address + ": the port is not a number";
        }
        InetAddress ip;
        try {
            ip = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return address + ": DNS cannot resolve " + host;
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), CONNECT_TIMEOUT_MS);
            return address + ": the port accepts connections (" + ip.getHostAddress() + ") but no Kafka answered as expected"
                    + " (wrong port or protocol, e.g. TLS expected: set security.protocol)";
        } catch (ConnectException e) {
            return address + ": connection refused by " + ip.getHostAddress() + ":" + port + " (nothing listens there)";
        } catch (SocketTimeoutException e) {
            return address + ": no answer from " + ip.getHostAddress() + ":" + port + " within " + CONNECT_TIMEOUT_MS + " ms (a firewall?)";
        } catch (NoRouteToHostException e) {
            return address + ": no route to " + ip.getHostAddress();
        } catch (IOException | IllegalArgumentException e) {
            return address + ": " + e.getMessage();
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
    }
}
