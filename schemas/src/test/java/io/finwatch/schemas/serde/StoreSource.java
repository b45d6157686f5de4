package io.finwatch.schemas.serde;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/** The store as it is in the source tree (src/main/resources), rather than as last built into target/classes. */
final class StoreSource {

    static final Path RESOURCES = Path.of("src", "main", "resources");
    static final Path ROOT = RESOURCES.resolve(FinwatchSchemaStore.RESOURCE_ROOT);

    private StoreSource() {
    }

    static FinwatchSchemaStore load() {
        return loadFrom(RESOURCES);
    }

    /** Loads a store laid out under {@code resourcesDir} the way the jar has it; nothing else on that loader's path. */
    static FinwatchSchemaStore loadFrom(Path resourcesDir) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {resourcesDir.toUri().toURL()}, null)) {
            return FinwatchSchemaStore.load(loader);
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(resourcesDir.toString(), e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
