package io.finwatch.schemas.serde;

/**
 * The bytes are an Avro single-object record whose schema fingerprint matches no finwatch schema
 * version this build knows: written by a newer finwatch release, or by something else entirely.
 */
public final class UnknownSchemaException extends FinwatchSerdeException {

    private final long fingerprint;

    public UnknownSchemaException(long fingerprint) {
        super("unknown finwatch schema fingerprint " + Fingerprint.hex(fingerprint)
                + ": the bytes carry an Avro single-object header, but no schema version in this build's store has that"
                + " fingerprint (written by a newer finwatch release, or not by finwatch)", null);
        this.fingerprint = fingerprint;
    }

    public long fingerprint() {
        return fingerprint;
    }
}
