package io.finwatch.streams.query;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the API answers with an error status: the JSON body {@code {status, error, message}} and, for 503,
 * {@code retry_after_s} and a {@code Retry-After} header.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final Integer retryAfterS;

    private ApiException(int status, String error, String message, Integer retryAfterS) {
        super(message);
        this.status = status;
        this.error = error;
        this.retryAfterS = retryAfterS;
    }

    /** {@code parameter} leads the message, so the caller sees which one was wrong. */
    public static ApiException badRequest(String parameter, String message) {
        return new ApiException(400, "bad_request", parameter + ": " + message, null);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "not_found", message, null);
    }

    public static ApiException methodNotAllowed(String method) {
        return new ApiException(405, "method_not_allowed", method + " is not allowed: the API is read-only (GET, HEAD)", null);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message, null);
    }

    public static ApiException unavailable(String message, int retryAfterS) {
        return new ApiException(503, "unavailable", message, retryAfterS);
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public Integer retryAfterS() {
        return retryAfterS;
    }

    public Map<String, Object> body() {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("status", status);
        b.put("error", error);
        b.put("message", getMessage());
        if (retryAfterS != null) {
            b.put("retry_after_s", retryAfterS);
        }
        return b;
    }
}
