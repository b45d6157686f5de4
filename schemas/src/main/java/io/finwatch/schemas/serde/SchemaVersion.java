package io.finwatch.schemas.serde;

import java.util.Objects;
import org.apache.avro.Schema;

/**
 * One version of a top-level finwatch record schema.
 *
 * @param recordName  simple record name, e.g. {@code SocketTransition} (all live in namespace io.finwatch.schemas)
 * @param version     1 for the first release, +1 per release
 * @param released    false only for a schema changed in the source tree but not yet copied into the store
 *                    (a build in that state fails its compatibility test)
 * @param fingerprint CRC-64-AVRO of the schema's parsing canonical form; what a record's header carries
 * @param schema      the full schema, docs included
 */
public record SchemaVersion(String recordName, int version, boolean released, long fingerprint, Schema schema) {

    public SchemaVersion {
        Objects.requireNonNull(recordName, "recordName");
        Objects.requireNonNull(schema, "schema");
        if (version < 0) {
            throw new IllegalArgumentException("negative version " + version + " for " + recordName);
        }
        if (fingerprint != Fingerprint.of(schema)) {
            throw new IllegalArgumentException(recordName + " v" + version + ": fingerprint " + Fingerprint.hex(fingerprint)
                    + " does not match its schema's " + Fingerprint.hex(Fingerprint.of(schema)));
        }
    }

    public static SchemaVersion of(String recordName, int version, boolean released, Schema schema) {
        return new SchemaVersion(recordName, version, released, Fingerprint.of(schema), schema);
    }

    public String fingerprintHex() {
        return Fingerprint.hex(fingerprint);
    }

    /** "SocketTransition v1", with " (unreleased)" for a schema not yet in the store. */
    public String label() {
        return recordName + " v" + version + (released ? "" : " (unreleased)");
    }

    public Identified identified() {
        return new Identified(recordName, version, released, fingerprint);
    }
}
