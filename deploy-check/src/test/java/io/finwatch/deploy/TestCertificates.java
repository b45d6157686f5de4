package io.finwatch.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A throw-away CA and one client certificate it signed, made with openssl as an operator would, in PEM: the key in
 * PKCS#8 (what Kafka reads, and what cert-manager writes with privateKey.encoding PKCS8).
 */
record TestCertificates(Path ca, Path certificate, Path key) {
    static final String CA_NAME = "finwatch-test-ca";

    static TestCertificates make(Path dir, String commonName) throws IOException {
        Files.createDirectories(dir);
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.crt");
        Path key = dir.resolve("client.key");
        Path csr = dir.resolve("client.csr");
        Path cert = dir.resolve("client.crt");
        Tools.ok(Tools.OPENSSL, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=" + CA_NAME);
        Tools.ok(Tools.OPENSSL, "openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=" + commonName);
        Tools.ok(Tools.OPENSSL, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", cert.toString(), "-days", "2");
        if (!Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----")) {
            throw new AssertionError("openssl wrote " + key + " in another form than PKCS#8");
        }
        return new TestCertificates(ca, cert, key);
    }
}
