package io.finwatch.streams.query;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** SSL contexts from PKCS12 files: the server's key for the API, the trusted certificates for forwarding. */
public final class TlsContexts {

    private TlsContexts() {
    }

    /** @throws IllegalStateException naming the file and option when it cannot be read or the password is wrong */
    public static SSLContext server(Path keystore, char[] password) {
        KeyStore ks = load(keystore, password, "--http-tls-keystore");
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("--http-tls-keystore " + keystore + " has no usable private key: " + e.getMessage(), e);
        }
    }

    public static SSLContext client(Path truststore, char[] password) {
        KeyStore ks = load(truststore, password, "--http-tls-truststore");
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("--http-tls-truststore " + truststore + " is not usable: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(Path file, char[] password, String option) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            // A wrong password surfaces as an IOException from load: say which file and option.
            throw new IllegalStateException(option + " " + file + " cannot be read as PKCS12 (missing file or wrong password): "
                    + e.getMessage(), e);
        }
    }
}
