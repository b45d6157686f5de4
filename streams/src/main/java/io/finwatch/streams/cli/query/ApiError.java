package io.finwatch.streams.cli.query;

import java.util.OptionalLong;

/**
 * The API answered with an error status. {@code error} and {@code message} come from its JSON body when it had
 * one (docs/api.md, Errors), otherwise they describe the status; a 503 carries the server's Retry-After.
 */
public final class ApiError extends Exception {
    private final int status;
    private final String error;
    private final OptionalLong retryAfterSeconds;

    public ApiError(int status, String error, String message, OptionalLong retryAfterSeconds) {
        super(message);
        this.status = status;
        this.error = error;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** One line for a terminal: what the API said, its status, and what to do about the common ones. */
    public String oneLine() {
        StringBuilder b = new StringBuilder(getMessage()).append(" (HTTP ").append(status);
        if (error != null && !error.isEmpty()) {
            b.append(' ').append(error);
        }
        b.append(')');
        if (status == 401) {
            b.append("; set FINWATCH_HTTP_TOKEN to the token the API was started with");
        }
        retryAfterSeconds.ifPresent(s -> b.append("; retry in ").append(s).append(" s"));
        return b.toString();
    }
}
