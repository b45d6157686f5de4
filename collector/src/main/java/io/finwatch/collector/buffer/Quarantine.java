package io.finwatch.collector.buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves files the buffer cannot use into {@code quarantine-<millis>/} inside the buffer directory, one such
 * folder per start that needed it, and says so at ERROR with the file's path, the new one and why. Nothing is
 * deleted: an operator can still look at (or recover from) what was moved. Moving is what keeps a damaged file
 * from failing every later start.
 */
final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);

    private final Path dir;
    private final Clock clock;
    private Path target;

    Quarantine(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /**
     * Moves {@code file} aside.
     *
     * @param consequence what this means for the events, appended to the log line
     * @return where the file is now
     */
    Path move(Path file, String problem, String consequence) {
        try {
            if (target == null) {
                target = dir.resolve("quarantine-" + clock.millis());
                Files.createDirectories(target);
            }
            Path to = target.resolve(file.getFileName());
            Files.move(file, to, StandardCopyOption.ATOMIC_MOVE);
            LOG.error("buffer file {} cannot be used ({}); moved it to {}. {}", file, problem, to, consequence);
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move unusable buffer file " + file + " (" + problem
                    + ") out of the way into " + target, e);
        }
    }
}
