package dev.mapsync.internal;

import dev.mapsync.Backend;
import dev.mapsync.IncompatibleMapException;
import dev.mapsync.MapSpec;
import dev.mapsync.MapType;
import dev.mapsync.internal.layout.Header;

/** Compares an existing map's header with the spec it is opened with, field by field. */
public final class SpecCheck {
    private SpecCheck() {}

    /**
     * @throws IncompatibleMapException naming the first field that differs, such as
     *                                  {@code value size: file has 24, spec asks 16}
     */
    public static void check(Header header, MapSpec<?> spec) {
        String name = spec.name();
        Backend fileBackend = header.backend() == Header.BACKEND_BPF ? Backend.BPF : Backend.SHM;
        // a spec that adopts a map by name takes whichever backend the map has
        boolean anyBackend = spec.adoptsExisting() && spec.pinPath().isEmpty();
        if (fileBackend != spec.backend() && !anyBackend) {
            throw new IncompatibleMapException(name, "backend", lower(fileBackend), lower(spec.backend()));
        }
        if (spec.adoptsExisting()) return;
        MapType fileType = MapType.ofCode(header.type());
        if (fileType != spec.type()) throw new IncompatibleMapException(name, "map type", fileType, spec.type());
        if (header.valueSize() != spec.valueSchema().size()) {
            throw new IncompatibleMapException(name, "value size", header.valueSize(), spec.valueSchema().size());
        }
        if (spec.entries() != 0 && header.entries() != spec.entries()) {
            throw new IncompatibleMapException(name, "entries", header.entries(), spec.entries());
        }
        if (!header.valueSchema().equals(spec.valueSchema().toString())) {
            throw new IncompatibleMapException(name, "value schema", "'" + header.valueSchema() + "'",
                    "'" + spec.valueSchema() + "'");
        }
        if (spec.hasExplicitLockStripes() && header.lockStripes() != spec.lockStripes()) {
            throw new IncompatibleMapException(name, "lock stripes", header.lockStripes(), spec.lockStripes());
        }
        if (spec.hasExplicitChangelogCapacity() && header.changelogCapacity() != spec.changelogCapacity()) {
            throw new IncompatibleMapException(name, "changelog capacity", header.changelogCapacity(),
                    spec.changelogCapacity());
        }
    }

    private static String lower(Backend b) {
        return b.name().toLowerCase(java.util.Locale.ROOT);
    }
}
