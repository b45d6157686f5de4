package io.finwatch.schemas.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Opt-in, JVM-wide trust of exactly finwatch's generated classes, for code that uses the generated
 * API directly rather than {@link FinwatchSerde}.
 *
 * <p>The generated classes carry their own stock Avro model, which on Avro 1.12.2 refuses to load
 * them by name (see {@link FinwatchData}). Without this, these throw
 * {@code SecurityException: Forbidden io.finwatch.schemas...}: the copy builders
 * {@code X.newBuilder(X other)} and {@code X.newBuilder(X.Builder other)} of any record holding an
 * enum or a nested record (all three top-level records), {@code X.getDecoder()},
 * {@code X.fromByteBuffer(..)} and {@code SpecificData.get().deepCopy(..)}. Encoding, plain builders,
 * getters, setters, equals, hashCode and toString work either way. Alternatives that need no global
 * change: {@link FinwatchSerde} to decode, {@code FinwatchData.get().deepCopy(schema, record)} to copy.
 *
 * <p>Call once at process start (a main, a test's {@code @BeforeAll}). It adds to the JVM's current
 * {@link ClassSecurityValidator} predicate and keeps everything it trusted; it trusts only the exact
 * classes of finwatch's table (same name and same class loader), which are plain data holders.
 */
public final class GeneratedClassTrust {

    private GeneratedClassTrust() {
    }

    /** Idempotent: a second call while this trust is the outermost predicate changes nothing. */
    public static synchronized void installJvmWide() {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (!(current instanceof FinwatchClasses)) {
            ClassSecurityValidator.setGlobal(new FinwatchClasses(current));
        }
    }

    /** Whether {@link #installJvmWide()} has taken effect and nothing replaced it since. */
    public static boolean installed() {
        return ClassSecurityValidator.getGlobal() instanceof FinwatchClasses;
    }

    private record FinwatchClasses(ClassSecurityPredicate others) implements ClassSecurityPredicate {

        @Override
        public boolean isTrusted(Class<?> clazz) {
            return FinwatchRecords.BY_FULL_NAME.get(clazz.getName()) == clazz || others.isTrusted(clazz);
        }

        @Override
        public void forbiddenClass(String className) {
            others.forbiddenClass(className);
        }
    }
}
