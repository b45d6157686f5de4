package io.finwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Output compared whole against a reviewed file in the test resources. To accept a change of output, rewrite the
 * files and review the diff:
 *
 * <pre>
 *   mvn -B -q -pl collector -am test -Dtest='*GoldenTest' -Dsurefire.failIfNoSpecifiedTests=false \
 *       -Dfinwatch.golden.update=true
 *   git diff collector/src/test/resources/fixtures
 * </pre>
 *
 * A test that rewrote its file is reported as skipped: it checked nothing.
 */
public final class Golden {
    /** The system property that turns comparing into rewriting. */
    public static final String UPDATE = "finwatch.golden.update";

    private Golden() {
    }

    /** @param expected relative to the module directory, where surefire runs the tests */
    public static void assertMatches(Path expected, String actual) throws IOException {
        if (Boolean.getBoolean(UPDATE)) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
            Assumptions.abort("rewrote " + expected + " (" + UPDATE + "): review it with git diff");
        }
        assertThat(actual).as("output against %s; if the change is intended, run with -D%s=true and review the diff",
                expected, UPDATE).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }
}
