package io.finwatch.streams.query;

import io.finwatch.common.http.HttpEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

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
    public boolean admit(Request request, Response response, Callback callback) {
        if (openPaths.contains(request.getHttpURI().getCanonicalPath())) {
            return true;
        }
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
        if (presented != null && MessageDigest.isEqual(expected, sha256(presented))) {
            return true;
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"finwatch\"");
        ApiRoutes.send(request, response, callback, Answer.error(ApiException.unauthorized(presented == null
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
