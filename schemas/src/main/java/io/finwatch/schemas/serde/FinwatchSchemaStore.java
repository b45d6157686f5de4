package io.finwatch.schemas.serde;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.message.SchemaStore;

/**
 * Every released version of every top-level finwatch record, plus the schemas this build's generated
 * classes were made from, found by the fingerprint in a record's header.
 *
 * <p>Released versions live in this jar under {@value #RESOURCE_ROOT}: {@code index.txt} lists them
 * (so no classpath scanning) and {@code <RecordName>/v<N>.avsc} holds each, self-contained. A released
 * file is never edited; a schema change is released by adding the next version (see the README there).
 * When the source schema differs from the newest released one (a development build between releases)
 * the current schema is listed as the next version, marked unreleased.
 *
 * <p>Immutable and thread-safe.
 */
public final class FinwatchSchemaStore implements SchemaStore {

    /** Classpath folder of the released schemas. */
    public static final String RESOURCE_ROOT = "io/finwatch/schemas/store/";

    private static final class Shared {
        static final FinwatchSchemaStore INSTANCE = load(FinwatchSchemaStore.class.getClassLoader());
    }

    private final Map<Long, SchemaVersion> byFingerprint;
    private final Map<String, List<SchemaVersion>> byRecord;
    private final Map<String, SchemaVersion> current;

    private FinwatchSchemaStore(Collection<SchemaVersion> released) {
        Map<Long, SchemaVersion> fps = new HashMap<>();
        Map<String, List<SchemaVersion>> records = new LinkedHashMap<>();
        for (String name : FinwatchRecords.TOP_LEVEL.keySet()) {
            records.put(name, new ArrayList<>());
        }
        for (SchemaVersion v : released) {
            List<SchemaVersion> versions = records.get(v.recordName());
            if (versions == null) {
                throw new IllegalArgumentException(v.label() + ": not a finwatch record (known: " + records.keySet() + ")");
            }
            if (!v.recordName().equals(FinwatchRecords.recordNameOf(v.schema()))) {
                throw new IllegalArgumentException(v.label() + ": schema is named " + v.schema().getFullName());
            }
            SchemaVersion clash = fps.putIfAbsent(v.fingerprint(), v);
            if (clash != null) {
                throw new IllegalArgumentException(v.label() + " has the same fingerprint " + v.fingerprintHex() + " as " + clash.label()
                        + ": a version that does not change the wire format is not a new version");
            }
            if (versions.stream().anyMatch(o -> o.version() == v.version())) {
                throw new IllegalArgumentException(v.label() + " is listed twice");
            }
            versions.add(v);
        }
        Map<String, SchemaVersion> cur = new LinkedHashMap<>();
        for (Map.Entry<String, List<SchemaVersion>> e : records.entrySet()) {
            List<SchemaVersion> versions = e.getValue();
            versions.sort(Comparator.comparingInt(SchemaVersion::version));
            Schema schema = FinwatchRecords.currentSchema(e.getKey());
            SchemaVersion stored = fps.get(Fingerprint.of(schema));
            if (stored == null) {
                int next = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
                stored = SchemaVersion.of(e.getKey(), next, false, schema);
                versions.add(stored);
                fps.put(stored.fingerprint(), stored);
            }
            cur.put(e.getKey(), stored);
            e.setValue(List.copyOf(versions));
        }
        this.byFingerprint = Map.copyOf(fps);
        this.byRecord = Collections.unmodifiableMap(records);
        this.current = Collections.unmodifiableMap(cur);
    }

    /** The store of the released versions in this jar, loaded once. */
    public static FinwatchSchemaStore shared() {
        return Shared.INSTANCE;
    }

    /**
     * Loads the released versions found under {@value #RESOURCE_ROOT} through a class loader.
     *
     * @throws IllegalStateException naming the file (and index line) that is missing, unparseable,
     *                               or whose schema no longer has the fingerprint the index recorded
     */
    public static FinwatchSchemaStore load(ClassLoader loader) {
        String indexPath = RESOURCE_ROOT + "index.txt";
        List<StoreIndex.Entry> entries;
        try (InputStream in = open(loader, indexPath)) {
            entries = StoreIndex.parse(new InputStreamReader(in, StandardCharsets.UTF_8), indexPath);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + indexPath, e);
        }
        List<SchemaVersion> versions = new ArrayList<>();
        for (StoreIndex.Entry entry : entries) {
            String path = RESOURCE_ROOT + entry.path();
            Schema schema;
            try (InputStream in = open(loader, path)) {
                // A parser per file: every version redefines the same names.
                schema = new Schema.Parser().parse(in);
            } catch (IOException | SchemaParseException e) {
                throw new IllegalStateException(path + " (listed at " + indexPath + ":" + entry.line() + "): " + e.getMessage(), e);
            }
            long actual = Fingerprint.of(schema);
            if (actual != entry.fingerprint()) {
                throw new IllegalStateException(path + " has fingerprint " + Fingerprint.hex(actual) + " but " + indexPath + ":" + entry.line()
                        + " released it as " + Fingerprint.hex(entry.fingerprint())
                        + ": a released schema was edited; restore it and release the change as a new version");
            }
            try {
                versions.add(SchemaVersion.of(entry.recordName(), entry.version(), true, schema));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(path + ": " + e.getMessage(), e);
            }
        }
        try {
            return new FinwatchSchemaStore(versions);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(indexPath + ": " + e.getMessage(), e);
        }
    }

    /** A store of the given released versions plus the current generated schemas (tests, tools reading foreign stores). */
    public static FinwatchSchemaStore of(Collection<SchemaVersion> released) {
        return new FinwatchSchemaStore(released);
    }

    private static InputStream open(ClassLoader loader, String path) throws IOException {
        InputStream in = loader.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("resource " + path + " not found on the classpath");
        }
        return in;
    }

    /** Avro's lookup: the writer schema for a fingerprint, or null when unknown. */
    @Override
    public Schema findByFingerprint(long fingerprint) {
        SchemaVersion v = byFingerprint.get(fingerprint);
        return v == null ? null : v.schema();
    }

    public Optional<SchemaVersion> byFingerprint(long fingerprint) {
        return Optional.ofNullable(byFingerprint.get(fingerprint));
    }

    /** Simple names of the top-level records, e.g. SocketTransition. */
    public Set<String> recordNames() {
        return byRecord.keySet();
    }

    /** Every known version of a record, oldest first; the last may be the unreleased current schema. */
    public List<SchemaVersion> versions(String recordName) {
        List<SchemaVersion> versions = byRecord.get(recordName);
        if (versions == null) {
            throw new IllegalArgumentException("not a finwatch record name: " + recordName + " (known: " + byRecord.keySet() + ")");
        }
        return versions;
    }

    /** Newest released version of a record; empty before its first release. */
    public Optional<SchemaVersion> latestReleased(String recordName) {
        return versions(recordName).stream().filter(SchemaVersion::released).reduce((a, b) -> b);
    }

    /** The version this build's generated class writes. */
    public SchemaVersion current(String recordName) {
        SchemaVersion v = current.get(recordName);
        if (v == null) {
            throw new IllegalArgumentException("not a finwatch record name: " + recordName + " (known: " + current.keySet() + ")");
        }
        return v;
    }
}
