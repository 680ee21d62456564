package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.SharedMaps;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;

/**
 * A fresh private folder and a unique map name for each test, and afterwards the map deleted on every backend
 * (for bpf maps: the pin too) and the folder removed. Use with {@code @RegisterExtension}.
 */
public final class MapDir implements BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private Path dir;
    private String name;

    public MapDir(String prefix) {
        this.prefix = prefix;
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        dir = TestDirs.create();
        name = prefix + Long.toHexString(System.nanoTime());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (Backend b : Backend.values()) {
            try {
                SharedMaps.delete(MapSpec.existing(name).dir(dir).backend(b));
            } catch (MapSyncException | IllegalArgumentException ignored) {
                // not made on this backend
            }
        }
        TestDirs.delete(dir);
    }
}
