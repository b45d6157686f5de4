package io.finwatch.schemas.serde;

import java.nio.file.Path;

/** Where golden samples live: one binary record and its JSON per record name and released version. */
final class GoldenFiles {

    /** Relative to the module directory, which is where surefire runs tests. */
    static final Path ROOT = Path.of("src", "test", "resources", "golden");

    private GoldenFiles() {
    }

    static Path bin(String recordName, int version) {
        return ROOT.resolve(recordName).resolve("v" + version + ".bin");
    }

    static Path json(String recordName, int version) {
        return ROOT.resolve(recordName).resolve("v" + version + ".json");
    }
}
