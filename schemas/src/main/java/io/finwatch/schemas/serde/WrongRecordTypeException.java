package io.finwatch.schemas.serde;

/** The bytes hold a valid finwatch record, but of another type than the caller asked for (a topic mix-up). */
public final class WrongRecordTypeException extends FinwatchSerdeException {

    private final transient SchemaVersion writer;

    public WrongRecordTypeException(String expectedRecordName, SchemaVersion writer) {
        super("expected a " + expectedRecordName + " record but the bytes hold " + writer.label()
                + " (fingerprint " + writer.fingerprintHex() + ")", null);
        this.writer = writer;
    }

    public SchemaVersion writer() {
        return writer;
    }
}
