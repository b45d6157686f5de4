/**
 * Registry-free encoding of finwatch events and of the detector's store values: Avro single-object
 * encoding (a 2-byte marker, the 8-byte CRC-64-AVRO fingerprint of the writer's schema, then the Avro
 * binary body), resolved against a store of every released schema version shipped inside this jar.
 *
 * <p>Entry points: {@link io.finwatch.schemas.serde.FinwatchSerde} to encode and decode,
 * {@link io.finwatch.schemas.serde.FinwatchSchemaStore} for the released versions,
 * {@link io.finwatch.schemas.serde.RecordJson} to show a record as plain JSON.
 */
package io.finwatch.schemas.serde;
