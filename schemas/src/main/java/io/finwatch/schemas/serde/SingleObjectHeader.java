package io.finwatch.schemas.serde;

/**
 * The 10-byte header of Avro single-object encoding (spec, "Single-object encoding"): the marker
 * C3 01, then the writer schema's 64-bit fingerprint, least significant byte first. Only the header:
 * bodies are Avro's datum readers' and writers' business. Read here because Avro reports a bad or
 * unknown header only as a message string, and tools must tell "not ours" from "too new".
 */
final class SingleObjectHeader {

    static final int LENGTH = 10;
    private static final int MARKER_0 = 0xC3;
    private static final int MARKER_1 = 0x01;

    private SingleObjectHeader() {
    }

    /** The writer schema's fingerprint, or a {@link NotFinwatchRecordException} saying what is wrong with the bytes. */
    static long fingerprint(byte[] bytes) {
        String problem = problem(bytes);
        if (problem != null) {
            throw new NotFinwatchRecordException("not a finwatch record: " + problem);
        }
        long fp = 0;
        for (int i = LENGTH - 1; i >= 2; i--) {
            fp = (fp << 8) | (bytes[i] & 0xFFL);
        }
        return fp;
    }

    /** The header of records written with the schema of this fingerprint. */
    static byte[] of(long fingerprint) {
        byte[] header = new byte[LENGTH];
        header[0] = (byte) MARKER_0;
        header[1] = (byte) MARKER_1;
        for (int i = 2; i < LENGTH; i++) {
            header[i] = (byte) (fingerprint >>> (8 * (i - 2)));
        }
        return header;
    }

    /** Whether the bytes start with the marker, whatever follows. */
    static boolean hasMarker(byte[] bytes) {
        return bytes != null && bytes.length >= 2 && (bytes[0] & 0xFF) == MARKER_0 && (bytes[1] & 0xFF) == MARKER_1;
    }

    /** Why the bytes cannot carry a single-object header, or null when they can. */
    static String problem(byte[] bytes) {
        if (bytes == null) {
            return "no bytes (null)";
        }
        if (bytes.length >= 2 && ((bytes[0] & 0xFF) != MARKER_0 || (bytes[1] & 0xFF) != MARKER_1)) {
            return String.format("starts with 0x%02x 0x%02x, not the Avro single-object marker 0xc3 0x01", bytes[0] & 0xFF, bytes[1] & 0xFF);
        }
        if (bytes.length < LENGTH) {
            return "only " + bytes.length + " byte(s), shorter than the " + LENGTH + "-byte single-object header";
        }
        return null;
    }
}
