package dev.mapsync.internal.store;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.MapType;
import dev.mapsync.Schema;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the store needs to know of a map to create or open it, whatever its kind: where it is, what it is, and what
 * an existing map must agree with. The public specs (one per kind) each make one; internal code never sees them.
 *
 * @param type              the map type, or null for a blueprint that adopts an existing map of whatever type
 * @param name              the map's name (a file name for maps given by path)
 * @param path              the file's explicit path, or null
 * @param dir               the explicit folder, or null for the default one (see {@link #dir()})
 * @param pin               the pin path of a kernel map made by another program, or null
 * @param codec             the value codec, or null (adopting, a ring of records of any length, a barrier)
 * @param keyCodec          the key codec of a hash map, or null
 * @param entries           entries of an array, capacity of a hash map, bytes of a ring, parties of a barrier, counters of a counter map; 0 when
 *                          the map's own count is taken
 * @param explicitStripes   lock stripes (segments of a hash map) the spec asked for, or 0
 * @param defaultStripes    the stripes of a new map when none were asked for
 * @param explicitChangelog the changelog capacity the spec asked for, or 0
 * @param perCpu            a kernel map with one value per CPU ({@code PERCPU_ARRAY}, {@code PERCPU_HASH},
 *                          {@code LRU_PERCPU_HASH}; bpf only)
 * @param userRing          a ring user space produces into and BPF programs drain ({@code USER_RINGBUF}; bpf only)
 * @param replica           opened by the process that keeps a read replica in step: a new map is marked as a
 *                          replica ({@link Header#FLAG_REPLICA}), and an existing one must be one
 */
public record Blueprint(MapType type, String name, Path path, Path dir, Path pin, Backend backend, int mode,
                        Duration openTimeout, Duration lockTimeout, Codec<?> codec, Codec<?> keyCodec, int entries,
                        int explicitStripes, int defaultStripes, int explicitChangelog, boolean lru, boolean spinLock,
                        boolean perCpu, boolean userRing, boolean replica) {
    public Blueprint {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
    }

    /** True for blueprints that adopt the map's own type, schema and size. */
    public boolean adoptsExisting() {
        return type == null;
    }

    public Optional<Path> pinPath() {
        return Optional.ofNullable(pin);
    }

    /**
     * The folder: the explicit one, else the default folder; a bpf map's sidecar that is not in the caller's default
     * folder is looked for in the default folder of the user who owns the pin ({@link Sidecars#folder}).
     */
    public Path dir() {
        if (path != null) return path.getParent();
        if (dir != null) return dir;
        if (backend == Backend.BPF) return Sidecars.folder(name, pin);
        return Folders.defaultDir();
    }

    /** Where the map's file (for bpf maps, its sidecar) is. */
    public Path file() {
        return path != null ? path : dir().resolve(name);
    }

    /** The key schema: u32 for arrays, the key codec's for hash maps, null when adopting or keyless. */
    public Schema keySchema() {
        if (keyCodec != null) return keyCodec.schema();
        return type == MapType.ARRAY ? Schema.scalar(Schema.Kind.U32) : null;
    }

    public Schema valueSchema() {
        return codec == null ? null : codec.schema();
    }

    public boolean hasExplicitLockStripes() {
        return explicitStripes > 0;
    }

    /** The lock stripes (hash map segments) of a new map, or the ones an existing map must have when asked for. */
    public int lockStripes() {
        return explicitStripes > 0 ? explicitStripes : defaultStripes;
    }

    public boolean hasExplicitChangelogCapacity() {
        return explicitChangelog > 0;
    }

    public int changelogCapacity() {
        return explicitChangelog > 0 ? explicitChangelog : ControlLayout.DEFAULT_CHANGELOG;
    }

    /**
     * This blueprint as one that makes a map of {@code type} with these values (for adopting a kernel map): stripes
     * asked for are capped at the entry count, as a spec caps them.
     */
    public Blueprint made(MapType type, Codec<?> keyCodec, Codec<?> codec, int entries, int defaultStripes) {
        int stripes = explicitStripes > 0 && entries > 0 ? Math.min(explicitStripes, entries) : explicitStripes;
        return new Blueprint(type, name, path, dir, pin, backend, mode, openTimeout, lockTimeout, codec, keyCodec,
                entries, stripes, defaultStripes, explicitChangelog, lru, spinLock, perCpu, userRing, replica);
    }

    /** How messages name the spec, such as {@code ARRAY 'hits' (shm, 16 x i64)}. */
    @Override
    public String toString() {
        String where = backend.name().toLowerCase(Locale.ROOT);
        if (type == MapType.RING) {
            String what = (userRing ? "user " : "") + (codec == null ? "ring" : "queue of " + codec.schema());
            if (pin != null) return what + " pinned at " + pin;
            return what + " '" + name + "' (" + where + ", " + entries + " bytes)";
        }
        if (type == MapType.BARRIER) return "barrier '" + name + "' (" + entries + " parties)";
        if (type == MapType.COUNTER) return "counter map '" + name + "' (" + entries + " counters)";
        String options = (perCpu ? ", per-CPU" : "") + (lru ? ", lru" : "") + (spinLock ? ", spin lock" : "");
        if (pin != null && keyCodec == null) {
            return (codec == null ? "existing map" : "map of " + codec.schema()) + " pinned at " + pin + options;
        }
        if (pin != null) return "hash map of " + keyCodec.schema() + " -> " + codec.schema() + " pinned at " + pin + options;
        if (type == null) return "existing map '" + name + "' (" + where + ")" + options;
        String geometry = keyCodec == null ? entries + " x " + codec.schema()
                : entries + " x " + keyCodec.schema() + " -> " + codec.schema();
        return type + " '" + name + "' (" + where + ", " + geometry + ")" + options;
    }
}
