package io.finwatch.streams.cli.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.finwatch.streams.cli.query.QueryRun.Result;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --truststore} against a real HTTPS server whose self-signed certificate keytool made for this test. */
class QueryTlsTest {

    static final String PASSWORD = "tls-test-pw";

    @TempDir
    Path dir;

    HttpsServer server;
    Path truststore;

    @BeforeEach
    void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Path cert = dir.resolve("server.crt");
        truststore = dir.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=IP:127.0.0.1,DNS:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-exportcert", "-alias", "api", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-rfc", "-file", cert.toString());
        keytool("-importcert", "-noprompt", "-alias", "api", "-file", cert.toString(), "-storetype", "PKCS12", "-keystore", truststore.toString(),
                "-storepass", PASSWORD);

        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(KeyStore.getInstance(keystore.toFile(), PASSWORD.toCharArray()), PASSWORD.toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/api/hosts", ex -> {
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }

    Result query(Map<String, String> env, String... extra) {
        List<String> args = new ArrayList<>(List.of("hosts", "--url", "https://127.0.0.1:" + server.getAddress().getPort()));
        args.addAll(List.of(extra));
        return QueryRun.run(env, Clock.systemDefaultZone(), args.toArray(String[]::new));
    }

    @Test
    void theTruststoreMakesAPrivateCertificateTrusted() {
        Result r = query(Map.of("FINWATCH_TRUSTSTORE_PASSWORD", PASSWORD), "--truststore", truststore.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("no host has reported yet\n");
    }

    @Test
    void withoutItTheHandshakeFailureSaysWhatToDo() {
        Result r = query(Map.of());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).contains("TLS failed", "--truststore").hasLineCount(1);
    }

    @Test
    void aTruststoreThatCannotBeOpenedIsAUsageErrorNamingIt() {
        Result r = query(Map.of("FINWATCH_TRUSTSTORE_PASSWORD", "wrong"), "--truststore", truststore.toString());

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--truststore " + truststore, "FINWATCH_TRUSTSTORE_PASSWORD").doesNotContain("wrong");
    }
}
