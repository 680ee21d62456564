package dev.mapsync.cli;

import dev.mapsync.MapLocation;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;

import java.nio.file.Path;

/**
 * How a map is named on the command line: {@code accounts} (the default folder, shm backend),
 * {@code bpf:accounts} (a bpf map), a path with a {@code /} in it ({@code ./maps/accounts}), or the path of a
 * kernel map pinned in a bpf file system ({@code /sys/fs/bpf/my_map}), whoever made it.
 */
record MapRef(String name, Path path, Backend backend, Path pin) {
    static MapRef parse(String text) {
        if (text.startsWith("bpf:")) return new MapRef(MapSpec.checkName(text.substring(4)), null, Backend.BPF, null);
        if (text.startsWith("shm:")) text = text.substring(4);
        if (text.contains("/")) {
            Path p = Path.of(text);
            // statfs decides, not the prefix: bpffs may be mounted anywhere, and /sys/fs/bpf may hold none
            if (KernelPins.isPinPath(p)) return new MapRef(null, null, Backend.BPF, p.toAbsolutePath().normalize());
            return new MapRef(null, p, Backend.SHM, null);
        }
        return new MapRef(MapSpec.checkName(text), null, Backend.SHM, null);
    }

    /** A spec that opens the existing map as it is. */
    MapLocation existing(Path dir) {
        return existing(dir, SchemaOptions.NONE, null);
    }

    /**
     * A spec that opens the existing map as it is; a pin made by another program is adopted privately
     * ({@link ForeignPins}), with the schemas given where its BTF has none, unless {@code commandNeedingControl} (the
     * name of a command that needs the control region other processes share; null for one that does not) refuses it.
     *
     * @throws IllegalArgumentException              if schemas are given for a map that has its own
     * @throws dev.mapsync.IncompatibleMapException if the command needs a shared control region and the map is a
     *                                              foreign pin
     */
    MapLocation existing(Path dir, SchemaOptions schema, String commandNeedingControl) {
        if (pin != null) {
            if (!isForeign(dir)) {
                if (schema.given()) throw sharedHasSchema();
                return shared(dir);
            }
            if (commandNeedingControl != null) throw ForeignPins.needsControlRegion(commandNeedingControl, pin);
            return ForeignPins.adopt(pin, schema);
        }
        if (schema.given()) throw sharedHasSchema();
        if (path != null) return MapSpec.existing(path);
        MapLocation spec = MapSpec.existing(name).backend(backend);
        return dir == null ? spec : spec.dir(dir);
    }

    /**
     * True for a pin that has no sidecar in the map folder: another program made it and no one adopted it, so there is
     * no control region that other processes share.
     */
    boolean isForeign(Path dir) {
        return pin != null && !ForeignPins.hasSharedSidecar(pin, shared(dir).file());
    }

    /**
     * The pin as a map of the map folder: its sidecar in {@code dir}, or when none is given where the library looks
     * (the default folder, else that of the pin's owner, where the owner's mapsync made it).
     */
    private MapLocation shared(Path dir) {
        MapLocation at = MapSpec.existingPin(pin);
        return dir == null ? at : at.dir(dir);
    }

    private IllegalArgumentException sharedHasSchema() {
        return new IllegalArgumentException("--key and --value are for kernel maps pinned by other programs without BTF;"
                + " map " + this + " has its own schema");
    }

    @Override
    public String toString() {
        if (pin != null) return pin.toString();
        return path != null ? path.toString() : (backend == Backend.BPF ? "bpf:" : "") + name;
    }
}
