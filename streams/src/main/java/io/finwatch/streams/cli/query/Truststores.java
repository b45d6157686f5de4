package io.finwatch.streams.cli.query;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Trust for an https API whose certificate is not in the JDK's trust store (a self-signed or private CA). */
final class Truststores {
    private Truststores() {
    }

    /**
     * @param file     a PKCS12 or JKS store holding the server's certificate or its CA
     * @param password the store's password, or null: a PKCS12 store of certificates only needs none
     * @throws IllegalArgumentException naming the file when it cannot be read or is not a key store
     */
    static SSLContext load(Path file, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance(file.toFile(), password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--truststore " + file + ": cannot load it as a PKCS12 or JKS store (" + e.getMessage()
                    + "); a password is read from FINWATCH_TRUSTSTORE_PASSWORD", e);
        }
    }
}
