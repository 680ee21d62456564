package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;

import java.nio.file.Path;

/**
 * How a map is named on the command line: {@code accounts} (the default folder, shm backend),
 * {@code bpf:accounts} (a bpf map), or a path with a {@code /} in it ({@code ./maps/accounts}).
 */
record MapRef(String name, Path path, Backend backend) {
    static MapRef parse(String text) {
        if (text.startsWith("bpf:")) return new MapRef(MapSpec.checkName(text.substring(4)), null, Backend.BPF);
        if (text.startsWith("shm:")) text = text.substring(4);
        if (text.contains("/")) return new MapRef(null, Path.of(text), Backend.SHM);
        return new MapRef(MapSpec.checkName(text), null, Backend.SHM);
    }

    /** A spec that opens the existing map as it is. */
    MapLocation existing(Path dir) {
        if (path != null) return MapSpec.existing(path);
        MapLocation spec = MapSpec.existing(name).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }


    @Override
    public String toString() {
        return path != null ? path.toString() : (backend == Backend.BPF ? "bpf:" : "") + name;
    }
}
