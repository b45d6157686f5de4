package io.finwatch.schemas.serde;

/**
 * The bytes do not start with an Avro single-object header at all (too short, or another marker):
 * they were not written by finwatch, or not with single-object encoding.
 */
public final class NotFinwatchRecordException extends FinwatchSerdeException {

    public NotFinwatchRecordException(String message) {
        super(message, null);
    }
}
