package io.finwatch.schemas.serde;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the store's index: one line per released schema version, {@code <RecordName> v<N> <fingerprint hex>},
 * '#' comments and blank lines ignored. The fingerprint pins the released file: editing a stored schema
 * in a way that changes its wire format no longer matches its line, and the store refuses to load.
 */
final class StoreIndex {

    private static final Pattern LINE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s+v([0-9]+)\\s+([0-9a-f]{16})");

    /** One index line. */
    record Entry(String recordName, int version, long fingerprint, int line) {

        /** Where the schema file lives, relative to the store root. */
        String path() {
            return recordName + "/v" + version + ".avsc";
        }
    }

    private StoreIndex() {
    }

    static List<Entry> parse(Reader in, String source) throws IOException {
        List<Entry> entries = new ArrayList<>();
        BufferedReader reader = new BufferedReader(in);
        String raw;
        int lineNo = 0;
        while ((raw = reader.readLine()) != null) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException(source + ":" + lineNo + ": expected '<RecordName> v<N> <16 hex digit fingerprint>', got: " + line);
            }
            entries.add(new Entry(m.group(1), Integer.parseInt(m.group(2)), Fingerprint.parseHex(m.group(3)), lineNo));
        }
        return entries;
    }
}
