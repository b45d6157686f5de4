package io.finwatch.streams.query;

import com.sun.net.httpserver.HttpExchange;
import io.finwatch.common.http.HttpEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * Requires {@code Authorization: Bearer <token>} on every path but the open ones (health checks come from
 * probes that hold no token). Both sides are hashed before the comparison, so neither the time taken nor an
 * early exit on a length difference tells a caller how much of a guess was right.
 */
public final class BearerGuard implements HttpEndpoint.Guard {

    private final byte[] expected;
    private final Set<String> openPaths;

    public BearerGuard(String token, Set<String> openPaths) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("--http-token is empty: leave it unset to serve without a token");
        }
        this.expected = sha256(token);
        this.openPaths = Set.copyOf(openPaths);
    }

    @Override
    public boolean admit(HttpExchange ex) throws IOException {
        if (openPaths.contains(ex.getRequestURI().getPath())) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (presented != null && MessageDigest.isEqual(expected, sha256(presented))) {
            return true;
        }
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"finwatch\"");
        ApiRoutes.send(ex, Answer.error(ApiException.unauthorized(presented == null
                ? "this endpoint needs Authorization: Bearer <token> (--http-token)" : "the bearer token is wrong")));
        return false;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
