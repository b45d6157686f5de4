package io.finwatch.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Schema fingerprints as single-object encoding uses them: CRC-64-AVRO of the schema's parsing
 * canonical form. Docs, defaults and logical types do not enter it.
 */
public final class Fingerprint {

    private Fingerprint() {
    }

    public static long of(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /**
     * The fingerprint as 16 lower-case hex digits, most significant first. The record header carries
     * the same 8 bytes least significant first, so a hex dump of a record shows them reversed.
     */
    public static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    /** Parses {@link #hex(long)}'s output back. */
    public static long parseHex(String hex) {
        if (hex.length() != 16) {
            throw new NumberFormatException("fingerprint must be 16 hex digits: " + hex);
        }
        return Long.parseUnsignedLong(hex, 16);
    }
}
