package io.finwatch.schemas.serde;

import io.finwatch.schemas.SocketTransition;
import java.util.UUID;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.util.ClassSecurityValidator;

/**
 * Runs in a JVM of its own (started by {@link GeneratedClassTrustTest}), because what it checks is
 * JVM-wide state. Prints one line per check; exits 0 only when every check held.
 */
public final class GeneratedClassTrustProbe {

    private GeneratedClassTrustProbe() {
    }

    public static void main(String[] args) throws Exception {
        SocketTransition sample = SampleEvents.transition();
        boolean ok = true;

        ok &= expectRefused("copy builder before install", () -> SocketTransition.newBuilder(sample).build());

        GeneratedClassTrust.installJvmWide();
        GeneratedClassTrust.installJvmWide();
        ok &= check("installed once", GeneratedClassTrust.installed());

        ok &= check("copy builder after install", SocketTransition.newBuilder(sample).build().equals(sample));
        ok &= check("generated decoder after install", SocketTransition.fromByteBuffer(sample.toByteBuffer()).equals(sample));
        ok &= check("stock deepCopy after install", SpecificData.get().deepCopy(sample.getSchema(), sample).equals(sample));
        ok &= expectRefused("other classes stay refused", () -> ClassSecurityValidator.validate(UUID.class));

        System.exit(ok ? 0 : 1);
    }

    private static boolean check(String what, boolean held) {
        System.out.println((held ? "OK " : "FAIL ") + what);
        return held;
    }

    private static boolean expectRefused(String what, Runnable action) {
        try {
            action.run();
            return check(what + " (no SecurityException)", false);
        } catch (SecurityException e) {
            return check(what, true);
        }
    }
}
