package io.finwatch.collector.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A fixture procfs tree copied where a test may change it, its symlinks kept as links (its fd links dangle). */
final class FixtureTree {
    private FixtureTree() {
    }

    static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Makes {@code to} a copy of {@code from} and nothing else: the host as it is at a later moment. */
    static void replace(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(to)) {
            List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path p : deepestFirst) {
                Files.delete(p);
            }
        }
        copy(from, to);
    }
}
