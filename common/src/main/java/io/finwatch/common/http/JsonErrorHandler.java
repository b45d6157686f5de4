package io.finwatch.common.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Every error the server answers by itself (a malformed request line, bad percent-encoding in the path, headers over
 * the limit, a handler that threw) in the same JSON shape as the API's own errors, {@code {status, error, message}},
 * never an HTML page. The message is Jetty's reason cut to a {@link Quote#prefix}; a 5xx never shows an exception. A 503 (the query
 * API's requests found no turn in time) carries {@code Retry-After}.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        String message = request.getAttribute(ERROR_MESSAGE) instanceof String m ? m : null;
        response.getHeaders().remove(HttpHeader.CONTENT_TYPE);
        if (status == 503) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        }
        HttpEndpoint.respond(request, response, callback, status, HttpEndpoint.JSON, body(status, message));
        return true;
    }

    /** Answers requests Jetty could not parse into a request at all. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, HttpEndpoint.JSON);
        return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
    }

    static String body(int status, String reason) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("status", status);
        b.put("error", error(status));
        b.put("message", status == 503 ? "the server is answering as many requests as it may at once; retry"
                : status >= 500 ? "internal error (see the server's log)" : Quote.prefix(text(status, reason)));
        if (status == 503) {
            b.put("retry_after_s", 1);
        }
        return HttpEndpoint.jsonObject(b);
    }

    /** The API's error names where it has them, Jetty's reason phrase in snake case otherwise. */
    static String error(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 503 -> "unavailable";
            default -> status >= 500 && status != 503 ? "internal"
                    : String.valueOf(HttpStatus.getMessage(status)).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        };
    }

    private static String text(int status, String reason) {
        return switch (status) {
            case 414 -> "the request's URI is longer than the server accepts";
            case 431 -> "the request's headers are larger than the server accepts";
            default -> reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        };
    }
}
