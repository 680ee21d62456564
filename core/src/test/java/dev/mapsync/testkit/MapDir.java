package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.SharedMaps;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A fresh private folder and a unique map name for each test (and names made from it with {@link #name(String)}), and
 * afterwards each of those maps deleted on every backend (for bpf maps: the pin too) and the folder removed. Use with
 * {@code @RegisterExtension}.
 */
public final class MapDir implements BeforeEachCallback, AfterEachCallback {
    private final String prefix;
    private Path dir;
    private String name;
    private final Set<String> names = new LinkedHashSet<>();

    public MapDir(String prefix) {
        this.prefix = prefix;
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    /** {@return {@link #name()} followed by {@code suffix}}, a map deleted after the test as well */
    public String name(String suffix) {
        names.add(name + suffix);
        return name + suffix;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        dir = TestDirs.create();
        name = prefix + Long.toHexString(System.nanoTime());
        names.clear();
        names.add(name);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (String n : names) {
            for (Backend b : Backend.values()) {
                try {
                    SharedMaps.delete(MapSpec.existing(n).dir(dir).backend(b));
                } catch (MapSyncException | IllegalArgumentException ignored) {
                    // not made on this backend
                }
            }
        }
        TestDirs.delete(dir);
    }
}
