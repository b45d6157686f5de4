package io.finwatch.streams.aggregate;

import io.finwatch.streams.state.EarlierForms;
import org.apache.kafka.common.errors.SerializationException;

/**
 * One pending EndedEpisode as releases before the batches wrote it (JSON, then the compact form), under the
 * episode's connection key and entry time; still folded. Nothing writes this form any more, so this only reads.
 */
final class EarlierPendingEpisode {

    private EarlierPendingEpisode() {
    }

    /** @throws SerializationException naming the store when the bytes are no pending episode */
    static EndedEpisode read(String store, byte[] bytes) {
        try {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("is empty");
            }
            return EarlierForms.read(bytes, EndedEpisode.class, EarlierPendingEpisode::fields);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("a pending EndedEpisode in " + store + " (" + bytes.length + " bytes): " + e.getMessage(), e);
        }
    }

    /** One episode's fields in the compact form, also the elements of a compact batch. */
    static EndedEpisode fields(EarlierForms.Fields in) {
        return new EndedEpisode(in.getString(), in.getString(), in.getLong(), in.getLong());
    }
}
