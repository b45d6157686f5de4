package io.finwatch.streams.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Store values as releases before the Avro store records wrote them (test resources, see the README beside them). */
public final class EarlierValues {

    private EarlierValues() {
    }

    public static byte[] read(String file) {
        try (InputStream in = EarlierValues.class.getResourceAsStream("earlier/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + file);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
