package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a map is and how to reach it: its name, its folder (or file path, or kernel pin), its backend, the
 * permission bits a new map gets, and how long opening and locking wait. Every {@link MapSpec spec} has one; on its
 * own (from {@link MapSpec#existing(String)} and {@link MapSpec#existingPin}) it names an existing map of any kind,
 * to describe or delete it ({@link SharedMaps}) or to open it as it is with the handle of its kind.
 *
 * <p>Immutable and thread-safe: each wither returns a changed copy; a wither given a bad argument throws
 * {@link IllegalArgumentException}, and a null one {@link NullPointerException}.
 */
public final class MapLocation {
    private final String name;
    private final Path path;
    private final Path dir;
    private final Path pin;
    private final Backend backend;
    private final int mode;
    private final Duration openTimeout;
    private final Duration lockTimeout;
    private final boolean replica;

    private MapLocation(String name, Path path, Path dir, Path pin, Backend backend, int mode, Duration openTimeout,
                        Duration lockTimeout) {
        this(name, path, dir, pin, backend, mode, openTimeout, lockTimeout, false);
    }

    private MapLocation(String name, Path path, Path dir, Path pin, Backend backend, int mode, Duration openTimeout,
                        Duration lockTimeout, boolean replica) {
        this.name = name;
        this.path = path;
        this.dir = dir;
        this.pin = pin;
        this.backend = backend;
        this.mode = mode;
        this.openTimeout = openTimeout;
        this.lockTimeout = lockTimeout;
        this.replica = replica;
    }

    /** The map called {@code name} in the default folder (or {@link #dir}), shm backend. */
    static MapLocation named(String name) {
        return new MapLocation(MapSpec.checkName(name), null, null, null, Backend.SHM, MapSpec.DEFAULT_MODE,
                MapSpec.DEFAULT_OPEN_TIMEOUT, MapSpec.DEFAULT_LOCK_TIMEOUT);
    }

    /** The map in the file at {@code path} (shm backend), whatever its name. */
    static MapLocation file(Path path) {
        Path p = Objects.requireNonNull(path, "path").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        return new MapLocation(fileName, p, null, null, Backend.SHM, MapSpec.DEFAULT_MODE, MapSpec.DEFAULT_OPEN_TIMEOUT,
                MapSpec.DEFAULT_LOCK_TIMEOUT);
    }

    /** The kernel map pinned at {@code pin} (bpf backend), named after the pin. */
    static MapLocation pinned(Path pin) {
        Path p = Objects.requireNonNull(pin, "pin").toAbsolutePath().normalize();
        String fileName = p.getFileName() == null ? "" : p.getFileName().toString();
        try {
            MapSpec.checkName(fileName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pin " + p + ": its name '" + fileName + "' also names the map and its"
                    + " sidecar, so it must be 1 to 128 of A-Z a-z 0-9 _ - (not starting with '-')");
        }
        return new MapLocation(fileName, null, null, p, Backend.BPF, MapSpec.DEFAULT_MODE, MapSpec.DEFAULT_OPEN_TIMEOUT,
                MapSpec.DEFAULT_LOCK_TIMEOUT);
    }

    /**
     * The same location on another backend.
     *
     * @param backend where the map's values are to live
     * @return the changed copy
     * @throws IllegalArgumentException for a bpf map given by file path, or an shm map given by pin
     */
    public MapLocation backend(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        if (backend == Backend.BPF && path != null) {
            throw new IllegalArgumentException("a map given by file path is an shm map; name a bpf map instead");
        }
        if (backend != Backend.BPF && pin != null) throw new IllegalArgumentException("a map given by pin path is a bpf map");
        return new MapLocation(name, path, dir, pin, backend, mode, openTimeout, lockTimeout, replica);
    }

    /**
     * The same location in another folder (shm backend; bpf sidecars also go there).
     *
     * @param dir the folder
     * @return the changed copy
     * @throws IllegalArgumentException for a location given by file path, whose folder is fixed
     */
    public MapLocation dir(Path dir) {
        Objects.requireNonNull(dir, "dir");
        if (path != null) throw new IllegalArgumentException("this spec names a file path; its folder is fixed");
        return new MapLocation(name, path, dir.toAbsolutePath().normalize(), pin, backend, mode, openTimeout, lockTimeout, replica);
    }

    /**
     * The same location with other permission bits for a new map's file (and pin), such as {@code 0660} to share with
     * the group. The bits are set exactly, whatever the umask.
     *
     * @param mode the bits
     * @return the changed copy
     * @throws IllegalArgumentException if the bits are not in 0..0777
     */
    public MapLocation mode(int mode) {
        if ((mode & ~0777) != 0) throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " is not in 0..0777");
        return new MapLocation(name, path, dir, pin, backend, mode, openTimeout, lockTimeout, replica);
    }

    /**
     * The same location with another bound on how long an opener waits for a map's creator to finish it.
     *
     * @param timeout the bound (default {@link MapSpec#DEFAULT_OPEN_TIMEOUT})
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    public MapLocation openTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        return new MapLocation(name, path, dir, pin, backend, mode, timeout, lockTimeout, replica);
    }

    /**
     * The same location with another default bound on lock waits (default 30 s). Every wait for a lock ends by this
     * time at the latest, with a {@link LockTimeoutException} naming the owner.
     *
     * @param timeout the bound
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    public MapLocation lockTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative timeout");
        return new MapLocation(name, path, dir, pin, backend, mode, openTimeout, timeout, replica);
    }

    /**
     * The same location for the one process that keeps a read replica of another host's map in step with it (the
     * {@code dev.mapsync.replicate} module's follower). A map created through it is marked as a replica in its header
     * (docs/FORMAT.md §2, flags), and every handle not opened through such a location refuses to write it, with a
     * {@link ReplicaWriteException} naming the leader; it may read, watch and export it. Opening a map that is not
     * a replica through it fails ({@link IncompatibleMapException}), so that a follower never overwrites a map of
     * this host.
     *
     * @return the changed copy
     */
    public MapLocation replica() {
        return new MapLocation(name, path, dir, pin, backend, mode, openTimeout, lockTimeout, true);
    }

    /** {@return true for a location made by {@link #replica()}} */
    public boolean isReplica() {
        return replica;
    }

    /** {@return the map's name: the file name for locations given by path, the pin's name for pins} */
    public String name() {
        return name;
    }

    /** {@return the explicit file path, if the location was given by one} */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** {@return the pin path, if the location was given by one} */
    public Optional<Path> pinPath() {
        return Optional.ofNullable(pin);
    }

    /**
     * The folder: the explicit one, else the {@link MapSpec#defaultDir() default folder}. A bpf map's sidecar that is
     * not in your default folder is looked for in the default folder of the user who owns the map's pin (where that
     * user's mapsync made it), so that a map root made can be opened by name by every user its pin lets in.
     *
     * @return the folder
     */
    public Path dir() {
        return blueprint().dir();
    }

    /** {@return where the map's file (the sidecar, for bpf maps: {@code <dir>/<name>}) is} */
    public Path file() {
        return blueprint().file();
    }

    /** {@return where the map's values live} */
    public Backend backend() {
        return backend;
    }

    /** {@return the permission bits of a new map, such as {@code 0600}} */
    public int mode() {
        return mode;
    }

    /** {@return how long an opener waits for a map's creator to finish it} */
    public Duration openTimeout() {
        return openTimeout;
    }

    /** {@return the default lock timeout of handles opened at this location} */
    public Duration lockTimeout() {
        return lockTimeout;
    }

    /** What the store is given for a map of {@code type} at this location (a null type adopts the map's own). */
    Blueprint blueprint(MapType type, Codec<?> codec, Codec<?> keyCodec, int entries, int explicitStripes,
                        int defaultStripes, int explicitChangelog) {
        return blueprint(type, codec, keyCodec, entries, explicitStripes, defaultStripes, explicitChangelog, false, false,
                false, false);
    }

    Blueprint blueprint(MapType type, Codec<?> codec, Codec<?> keyCodec, int entries, int explicitStripes,
                        int defaultStripes, int explicitChangelog, boolean lru, boolean spinLock, boolean perCpu,
                        boolean userRing) {
        return new Blueprint(type, name, path, dir, pin, backend, mode, openTimeout, lockTimeout, codec, keyCodec,
                entries, explicitStripes, defaultStripes, explicitChangelog, lru, spinLock, perCpu, userRing, replica);
    }

    /** This location as a blueprint that adopts whatever map is there. */
    Blueprint blueprint() {
        return blueprint(null, null, null, 0, 0, 0, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapLocation l && name.equals(l.name) && Objects.equals(path, l.path)
                && Objects.equals(dir, l.dir) && Objects.equals(pin, l.pin) && backend == l.backend && mode == l.mode
                && openTimeout.equals(l.openTimeout) && lockTimeout.equals(l.lockTimeout) && replica == l.replica;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, path, dir, pin, backend, mode, openTimeout, lockTimeout, replica);
    }

    @Override
    public String toString() {
        if (pin != null) return "existing map pinned at " + pin;
        return "existing map '" + name + "' (" + backend.name().toLowerCase(Locale.ROOT) + ")";
    }
}
