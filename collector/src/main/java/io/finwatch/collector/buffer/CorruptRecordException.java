package io.finwatch.collector.buffer;

/** An excerpt whose bytes do not decode to a record: flipped bits, a foreign writer, a torn write. */
final class CorruptRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptRecordException(String message) {
        super(message, null, false, false);
    }
}
