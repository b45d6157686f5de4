package io.finwatch.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PKI made with the JDK's keytool: a CA, a broker key pair whose certificate the CA signed for
 * {@code localhost} and {@code 127.0.0.1} (so clients keep hostname verification on), and a truststore holding only
 * the CA. The same steps an operator takes with keytool, see docs/security.md. PKCS12 stores, one random password.
 *
 * @param brokerKeystore the broker's key and its chain (CA-signed certificate, then the CA)
 * @param truststore     the CA certificate, for clients
 * @param password       of both stores and of the broker's key
 */
public record TestCertificates(Path brokerKeystore, Path truststore, String password) {

    private static final String VALIDITY_DAYS = "2";

    /** Writes the stores into {@code dir}; fails naming the keytool step that failed. */
    public static TestCertificates create(Path dir) {
        String password = UUID.randomUUID().toString();
        Path ca = dir.resolve("ca.p12");
        Path caPem = dir.resolve("ca.pem");
        Path broker = dir.resolve("broker.p12");
        Path csr = dir.resolve("broker.csr");
        Path brokerPem = dir.resolve("broker.pem");
        Path truststore = dir.resolve("truststore.p12");
        try {
            Files.createDirectories(dir);
            keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=finwatch test CA", "-ext", "bc:c", "-validity", VALIDITY_DAYS,
                    "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password,
                    "-file", caPem.toString());
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-validity", VALIDITY_DAYS,
                    "-keystore", broker.toString(), "-storetype", "PKCS12", "-storepass", password);
            keytool("-certreq", "-alias", "broker", "-keystore", broker.toString(), "-storepass", password,
                    "-file", csr.toString());
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", password,
                    "-infile", csr.toString(), "-outfile", brokerPem.toString(), "-validity", VALIDITY_DAYS,
                    "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
            // The CA first, so that importing the signed certificate finds its issuer and stores the whole chain.
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                    "-keystore", broker.toString(), "-storepass", password);
            keytool("-importcert", "-alias", "broker", "-file", brokerPem.toString(),
                    "-keystore", broker.toString(), "-storepass", password);
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write test certificates to " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new TestCertificates(broker, truststore, password);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args[0] + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed (exit " + p.exitValue() + "): " + out.strip());
        }
    }
}
