package io.finwatch.schemas.serde;

/**
 * What a record's header says about it: which finwatch record and which schema version wrote it.
 *
 * @param recordName  simple record name, e.g. {@code SocketTransition}
 * @param version     schema version that wrote the record
 * @param released    false when the writer was a development build with an unreleased schema change
 * @param fingerprint the writer schema's fingerprint from the header
 */
public record Identified(String recordName, int version, boolean released, long fingerprint) {

    public String fingerprintHex() {
        return Fingerprint.hex(fingerprint);
    }

    public String label() {
        return recordName + " v" + version + (released ? "" : " (unreleased)");
    }
}
