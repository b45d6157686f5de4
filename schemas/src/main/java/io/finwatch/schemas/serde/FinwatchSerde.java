package io.finwatch.schemas.serde;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes finwatch records with Avro single-object encoding and decodes records written with any
 * stored schema version into this build's generated classes. No schema registry: the writer schema
 * is found in {@link FinwatchSchemaStore} by the fingerprint in the record's header, and Avro's schema
 * resolution fills fields added since (with their defaults) and drops fields removed since.
 *
 * <p>Thread-safe: it holds one datum writer per record type and one datum reader per writer schema met,
 * shared the way Avro's own message encoder and decoder share them; the buffer a record is written into
 * and the binary decoder a body is read with belong to the calling thread. Share one instance.
 *
 * <p>Bodies are read straight from the byte array, after the header this class has already checked:
 * a stream-based decoder reads byte by byte through virtual calls, and this is the detector's hottest
 * path (every input record). Records are written through a buffered encoder into a buffer the thread
 * keeps, then copied out once: the detector writes a store value for most events it keeps, and a fresh
 * stream per record with an unbuffered encoder had cost more than the record's own fields.
 *
 * <p>Works with no Avro system property set: it decodes through {@link FinwatchData}, which names our
 * classes itself instead of having Avro 1.12.2 load (and reject) them by name.
 */
public final class FinwatchSerde {

    private static final class Shared {
        static final FinwatchSerde INSTANCE = new FinwatchSerde(FinwatchSchemaStore.shared());
    }

    /** A decoder per thread, re-pointed at each body; Avro's decoders are cheap to re-point but not thread-safe. */
    private static final ThreadLocal<BinaryDecoder> DECODERS = new ThreadLocal<>();
    /** Where each thread writes a record before it is copied out. */
    private static final ThreadLocal<Output> OUTPUTS = ThreadLocal.withInitial(Output::new);

    private final FinwatchSchemaStore store;
    private final FinwatchData model;
    private final Map<Class<?>, Codec<?>> codecs;
    /** Reader from each writer version met (by fingerprint) into this build's class. */
    private final Map<Long, DatumReader<?>> readers = new ConcurrentHashMap<>();

    /**
     * @param current       the version this build writes, and reads without resolution
     * @param header        its single-object header, written before every body
     * @param currentReader reads bodies of the current version: most records met, so found without a lookup
     */
    private record Codec<T>(String recordName, Schema schema, SchemaVersion current, byte[] header, DatumWriter<T> writer,
                            DatumReader<T> currentReader) {
    }

    /** A serde over the given store, e.g. one with extra versions a test made. */
    public FinwatchSerde(FinwatchSchemaStore store) {
        this(store, FinwatchData.get());
    }

    FinwatchSerde(FinwatchSchemaStore store, FinwatchData model) {
        this.store = store;
        this.model = model;
        Map<Class<?>, Codec<?>> m = new LinkedHashMap<>();
        FinwatchRecords.TOP_LEVEL.forEach((name, type) -> m.put(type, codec(name, store.current(name), model)));
        this.codecs = Map.copyOf(m);
    }

    @SuppressWarnings("unchecked")
    private static <T> Codec<T> codec(String name, SchemaVersion current, FinwatchData model) {
        Schema schema = FinwatchRecords.currentSchema(name);
        // Bodies of the current version of a record with generated custom coders (no logical types in its schema:
        // the store values) decode faster by the record's own code than by the fast reader (docs/benchmarks.md,
        // session 15); older versions still need resolution, which the fast reader does best.
        FinwatchData readModel = model.isFastReaderEnabled() && customCoded(FinwatchRecords.TOP_LEVEL.get(name))
                ? FinwatchData.withoutFastReader() : model;
        return new Codec<>(name, schema, current, SingleObjectHeader.of(current.fingerprint()), (DatumWriter<T>) model.createDatumWriter(schema),
                (DatumReader<T>) readModel.createDatumReader(schema, schema));
    }

    /** Whether Avro generated the class's own field-by-field decoder (it does for schemas without logical types). */
    static boolean customCoded(Class<?> type) {
        try {
            return type.getMethod("customDecode", ResolvingDecoder.class).getDeclaringClass() != SpecificRecordBase.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** The serde over the released versions in this jar. */
    public static FinwatchSerde shared() {
        return Shared.INSTANCE;
    }

    public FinwatchSchemaStore store() {
        return store;
    }

    /**
     * Single-object bytes of a top-level record, written with the current schema.
     *
     * @throws IllegalArgumentException for a record that is not a top-level finwatch record
     * @throws NullPointerException     (Avro's) naming the field when a non-nullable field is null
     */
    public byte[] encode(SpecificRecord record) {
        Codec<SpecificRecord> codec = codecFor(record.getClass());
        Output out = OUTPUTS.get();
        try {
            return out.write(codec, record);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
    }

    /**
     * Decodes bytes written with any known version of {@code type}'s schema into the current class.
     *
     * @throws NotFinwatchRecordException no single-object header
     * @throws UnknownSchemaException     fingerprint of no known version
     * @throws WrongRecordTypeException   a valid record of another type
     * @throws CorruptRecordException     the body does not decode, or bytes follow it
     */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) {
        Codec<T> codec = codecFor(type);
        long fingerprint = SingleObjectHeader.fingerprint(bytes);
        if (fingerprint == codec.current().fingerprint()) {
            return decodeBody(bytes, codec.current(), codec.currentReader());
        }
        SchemaVersion writer = writerOf(fingerprint);
        if (!writer.recordName().equals(codec.recordName())) {
            throw new WrongRecordTypeException(codec.recordName(), writer);
        }
        return decodeBody(bytes, writer, readerFrom(writer, codec));
    }

    /**
     * Decodes a record of {@code first}'s or {@code second}'s type, whichever its header names, for a topic that carries
     * two (the transitions topic carries heartbeats too); {@code first}'s current version is found without a lookup.
     * Same exceptions as {@link #decode(byte[], Class)}; {@link WrongRecordTypeException} for a record of any other type.
     */
    public SpecificRecord decodeEither(byte[] bytes, Class<? extends SpecificRecord> first, Class<? extends SpecificRecord> second) {
        Codec<? extends SpecificRecord> codec = codecFor(first);
        long fingerprint = SingleObjectHeader.fingerprint(bytes);
        if (fingerprint == codec.current().fingerprint()) {
            return decodeBody(bytes, codec.current(), codec.currentReader());
        }
        SchemaVersion writer = writerOf(fingerprint);
        Codec<? extends SpecificRecord> match = writer.recordName().equals(codec.recordName()) ? codec : codecFor(second);
        if (!writer.recordName().equals(match.recordName())) {
            throw new WrongRecordTypeException(codec.recordName() + " or " + match.recordName(), writer);
        }
        return decodeBody(bytes, writer, readerFrom(writer, match));
    }

    /** Decodes a record of whichever type its header names; same exceptions as {@link #decode(byte[], Class)}. */
    public SpecificRecord decodeAny(byte[] bytes) {
        SchemaVersion writer = writerOf(bytes);
        Codec<? extends SpecificRecord> codec = codecFor(FinwatchRecords.TOP_LEVEL.get(writer.recordName()));
        return decodeBody(bytes, writer, readerFrom(writer, codec));
    }

    /**
     * Whether the bytes start with the single-object marker {@code C3 01}: a finwatch record, or what is left of one.
     * Lets a reader tell this encoding, without decoding anything, from an earlier format of its own that never starts
     * with these two bytes (JSON, for one, starts with '{').
     */
    public static boolean hasMarker(byte[] bytes) {
        return SingleObjectHeader.hasMarker(bytes);
    }

    /**
     * Which finwatch record and version wrote the bytes, reading only the header.
     *
     * @return empty when the bytes carry no single-object header (too short, other marker): not a
     *         finwatch record; {@link #identifyOrThrow(byte[])} says why
     * @throws UnknownSchemaException for a single-object header with an unknown fingerprint
     */
    public Optional<Identified> identify(byte[] bytes) {
        if (SingleObjectHeader.problem(bytes) != null) {
            return Optional.empty();
        }
        return Optional.of(writerOf(bytes).identified());
    }

    /**
     * Like {@link #identify(byte[])}, with the reason as an exception when the bytes are not a finwatch record.
     *
     * @throws NotFinwatchRecordException no single-object header (the message says what the bytes start with)
     * @throws UnknownSchemaException     fingerprint of no known version
     */
    public Identified identifyOrThrow(byte[] bytes) {
        return writerOf(bytes).identified();
    }

    private SchemaVersion writerOf(byte[] bytes) {
        return writerOf(SingleObjectHeader.fingerprint(bytes));
    }

    private SchemaVersion writerOf(long fingerprint) {
        return store.byFingerprint(fingerprint).orElseThrow(() -> new UnknownSchemaException(fingerprint));
    }

    /** The reader from the writer's version into this build's class. */
    @SuppressWarnings("unchecked")
    private <T> DatumReader<T> readerFrom(SchemaVersion writer, Codec<T> codec) {
        if (writer.fingerprint() == codec.current().fingerprint()) {
            return codec.currentReader();
        }
        return (DatumReader<T>) readers.computeIfAbsent(writer.fingerprint(), fp -> model.createDatumReader(writer.schema(), codec.schema()));
    }

    private <T> T decodeBody(byte[] bytes, SchemaVersion writer, DatumReader<T> reader) {
        BinaryDecoder reuse = DECODERS.get();
        BinaryDecoder in = DecoderFactory.get().binaryDecoder(bytes, SingleObjectHeader.LENGTH, bytes.length - SingleObjectHeader.LENGTH, reuse);
        if (in != reuse) {
            DECODERS.set(in);
        }
        T record;
        int left;
        try {
            record = reader.read(null, in);
            left = in.inputStream().available();
        } catch (IOException | RuntimeException e) {
            throw new CorruptRecordException(writer, describe(e), e);
        }
        if (left > 0) {
            throw new CorruptRecordException(writer, left + " bytes follow the record", null);
        }
        return record;
    }

    private static String describe(Exception e) {
        if (e instanceof EOFException) {
            return "truncated (body ends early)";
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @SuppressWarnings("unchecked")
    private <T> Codec<T> codecFor(Class<?> type) {
        Codec<?> codec = codecs.get(type);
        if (codec == null) {
            throw new IllegalArgumentException(type.getName() + " is not a top-level finwatch record (known: "
                    + FinwatchRecords.TOP_LEVEL.keySet() + ")");
        }
        return (Codec<T>) codec;
    }

    /** A growable buffer and the encoder over it, reused by one thread for every record it writes. */
    private static final class Output extends OutputStream {
        /** A buffer grown past this for one big record is dropped afterwards rather than kept by the thread. */
        private static final int KEEP = 64 * 1024;

        private byte[] buffer = new byte[256];
        private int length;
        private BinaryEncoder encoder;

        <T> byte[] write(Codec<T> codec, T record) throws IOException {
            length = 0;
            write(codec.header(), 0, codec.header().length);
            encoder = EncoderFactory.get().binaryEncoder(this, encoder);
            try {
                codec.writer().write(record, encoder);
                encoder.flush();
                return Arrays.copyOf(buffer, length);
            } finally {
                if (buffer.length > KEEP) {
                    buffer = new byte[256];
                    encoder = null;
                }
            }
        }

        @Override
        public void write(int b) {
            room(1);
            buffer[length++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            room(len);
            System.arraycopy(b, off, buffer, length, len);
            length += len;
        }

        private void room(int n) {
            if (length + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + n));
            }
        }
    }
}
