package io.finwatch.streams.cli.query;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The API's 1–1000 bound on {@code limit}, checked before asking so a typo is a usage error (exit 2), not an API one. */
final class Limits {
    static final int MAX = 1000;

    private Limits() {
    }

    static void check(CommandSpec spec, String option, int value) {
        if (value < 1 || value > MAX) {
            throw new ParameterException(spec.commandLine(), option + ": expected 1 to " + MAX + ", got " + value);
        }
    }
}
