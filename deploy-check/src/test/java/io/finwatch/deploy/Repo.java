package io.finwatch.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository checkout under test; surefire passes its root as {@code finwatch.root}. */
final class Repo {
    private Repo() {
    }

    static Path root() {
        String root = System.getProperty("finwatch.root");
        if (root == null) {
            throw new IllegalStateException("system property finwatch.root is not set (run through Maven)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
