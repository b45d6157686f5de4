package io.finwatch.collector.cli;

import io.finwatch.common.config.Cli;

/** The collector's version, as its heartbeats report it: the jar manifest's, or "dev" when run from classes. */
public final class Version {
    private Version() {
    }

    public static String current() {
        return Cli.implementationVersion(Version.class);
    }
}
