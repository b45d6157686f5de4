package io.finwatch.schemas.serde;

import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.generic.GenericData;
import org.apache.avro.specific.SpecificData;

/**
 * The Avro data model for finwatch's generated classes, usable without any system property.
 *
 * <p>Since Avro 1.12.2 every class Avro resolves by name goes through
 * {@code org.apache.avro.util.ClassUtils.forName}, which asks the JVM-wide
 * {@code ClassSecurityValidator}; its default trusts 16 JDK classes plus whatever the system
 * properties {@code org.apache.avro.SERIALIZABLE_CLASSES} / {@code SERIALIZABLE_PACKAGES} list.
 * {@link SpecificData} resolves the class of every record and enum schema that way while reading, so
 * with the stock model (including the one inside each generated class, behind its
 * {@code getDecoder()} and {@code fromByteBuffer}) decoding our own classes fails with
 * {@code SecurityException: Forbidden io.finwatch.schemas...}.
 *
 * <p>This model answers {@link #getClass(Schema)} for finwatch's named types from a table of class
 * literals, so nothing is loaded by name and the JVM-wide validator is neither consulted nor
 * changed. Any other schema falls through to Avro and its checks. It also carries the
 * timestamp-millis conversion the generated classes expect ({@code java.time.Instant}).
 */
public final class FinwatchData extends SpecificData {

    private static final FinwatchData INSTANCE = new FinwatchData();

    /** Whether reads go through Avro's fast reader; Avro's own default (on unless a system property says otherwise) until set. */
    private volatile boolean fastReader;

    /** A model with Avro's fast reader on or off; only tests need the choice (the default follows Avro's). */
    FinwatchData(boolean fastReader) {
        this();
        setFastReaderEnabled(fastReader);
    }

    private FinwatchData() {
        super(FinwatchData.class.getClassLoader());
        addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        this.fastReader = fastReaderByDefault();
        // Records generated with custom coders (those without logical types: the store values, nested event types)
        // are written field by field by their own generated code rather than through the generic writer's boxing
        // and per-field lookups; the bytes are the same. Reads keep the fast reader, which does not use them.
        setCustomCoders(true);
    }

    private static boolean fastReaderByDefault() {
        return Boolean.parseBoolean(System.getProperty(FAST_READER_PROP, "true"));
    }

    @Override
    public GenericData setFastReaderEnabled(boolean enabled) {
        this.fastReader = enabled;
        super.setFastReaderEnabled(enabled);
        return this;
    }

    /**
     * Avro turns its fast reader off for every subclass of its models ({@code FastReaderBuilder.isSupportedData}),
     * because a subclass may change how records are made. This one changes only which class a schema names, which
     * the fast reader asks the model too ({@code newRecord}, {@code createEnum}), so it is safe here; without it every
     * record went through the interpreting {@code ResolvingDecoder}, several times slower.
     */
    @Override
    public boolean isFastReaderEnabled() {
        return fastReader;
    }

    /** The shared instance; Avro models are safe to share once configured. */
    public static FinwatchData get() {
        return INSTANCE;
    }

    private static final class WithoutFastReader {
        static final FinwatchData INSTANCE = new FinwatchData(false);
    }

    /**
     * A shared model that reads through Avro's resolving decoder, where a record with generated custom coders decodes
     * itself field by field ({@code customDecode}); the fast reader never uses those.
     */
    static FinwatchData withoutFastReader() {
        return WithoutFastReader.INSTANCE;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class getClass(Schema schema) {
        if (schema.getType() == Schema.Type.RECORD || schema.getType() == Schema.Type.ENUM) {
            Class<?> known = FinwatchRecords.BY_FULL_NAME.get(schema.getFullName());
            if (known != null) {
                return known;
            }
        }
        return super.getClass(schema);
    }
}
