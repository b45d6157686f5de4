package io.finwatch.schemas.serde;

/** The header names a known schema version but the body does not decode with it (truncated, damaged or padded). */
public final class CorruptRecordException extends FinwatchSerdeException {

    private final transient SchemaVersion writer;

    public CorruptRecordException(SchemaVersion writer, String problem, Throwable cause) {
        super("corrupt " + writer.label() + " record (fingerprint " + writer.fingerprintHex() + "): " + problem, cause);
        this.writer = writer;
    }

    /** The schema version the header says the record was written with. */
    public SchemaVersion writer() {
        return writer;
    }
}
