package io.finwatch.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;

/** The one line a command prints when its bootstrap addresses cannot be used, for each kind of failure. */
class BrokerUnreachableTest {

    @Test
    void namesTheAddressAndWhyItFailed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        String line = BrokerUnreachable.explain("nohost.invalid:9092,127.0.0.1:" + closed, "--bootstrap-servers",
                new KafkaException("Failed to create new KafkaAdminClient"));

        assertThat(line).isEqualTo("cannot use Kafka at nohost.invalid:9092,127.0.0.1:" + closed + " (--bootstrap-servers): "
                + "nohost.invalid:9092: DNS cannot resolve nohost.invalid; 127.0.0.1:" + closed + ": connection refused by 127.0.0.1:"
                + closed + " (nothing listens there)");
    }

    @Test
    void aListeningPortThatIsNotKafkaIsSaidToBeSo() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(BrokerUnreachable.probe("127.0.0.1:" + s.getLocalPort())).contains("accepts connections").contains("security.protocol");
        }
    }

    @Test
    void tlsAndAuthenticationFailuresAreNamedFromTheClientsError() {
        assertThat(BrokerUnreachable.explain("b:9093", "--bootstrap-servers",
                new KafkaException("x", new SslAuthenticationException("SSL handshake failed", new RuntimeException("PKIX path building failed")))))
                .isEqualTo("cannot use Kafka at b:9093 (--bootstrap-servers): the TLS handshake failed (PKIX path building failed); "
                        + "check ssl.* in the client properties and the broker's certificate");
        assertThat(BrokerUnreachable.explain("b:9093", "--bootstrap-servers", new SaslAuthenticationException("Authentication failed: invalid credentials")))
                .contains("authentication failed (Authentication failed: invalid credentials)");
    }
}
