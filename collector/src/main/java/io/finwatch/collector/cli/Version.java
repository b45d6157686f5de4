package io.finwatch.collector.cli;

import io.finwatch.common.config.Cli;
import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, or "dev" when run from classes. */
public final class Version implements IVersionProvider {
    public static String current() {
        return Cli.implementationVersion(Version.class);
    }

    @Override
    public String[] getVersion() {
        return new String[] {"finwatch " + current()};
    }
}
