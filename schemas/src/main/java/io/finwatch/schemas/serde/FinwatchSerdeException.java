package io.finwatch.schemas.serde;

/**
 * Bytes that cannot be turned into a finwatch record. Unchecked, so it passes through Kafka's
 * deserializer interfaces; callers add where the bytes came from (topic and offset, file and line).
 */
public abstract class FinwatchSerdeException extends RuntimeException {

    protected FinwatchSerdeException(String message, Throwable cause) {
        super(message, cause);
    }
}
