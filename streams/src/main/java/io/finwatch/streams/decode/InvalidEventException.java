package io.finwatch.streams.decode;

/** A record that decodes but cannot be processed, e.g. a host name containing the store-key separator. */
public final class InvalidEventException extends RuntimeException {

    public InvalidEventException(String message) {
        super(message);
    }
}
