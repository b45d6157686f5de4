package io.finwatch.streams.query;

import java.nio.file.Path;

/**
 * Who may query and over what: an optional bearer token, and optional TLS from a PKCS12 key store. Forwarded
 * requests trust {@code truststore} (the key store when null, which suits instances sharing one certificate).
 * {@link #toString()} never shows a secret.
 *
 * @param token              required as {@code Authorization: Bearer} on all but /healthz; null for none
 * @param keystore           PKCS12 file with this instance's key and certificate; null for plain HTTP
 * @param keystorePassword   its password
 * @param truststore         PKCS12 file of the certificates to trust when forwarding; null to use the key store
 * @param truststorePassword its password; null to use the key store's
 */
public record ApiSecurity(String token, Path keystore, char[] keystorePassword, Path truststore, char[] truststorePassword) {

    public static final ApiSecurity NONE = new ApiSecurity(null, null, null, null, null);

    public boolean tls() {
        return keystore != null;
    }

    @Override
    public String toString() {
        return "ApiSecurity[token=" + (token == null ? "none" : "****") + ", keystore=" + keystore + ", truststore=" + truststore + "]";
    }
}
