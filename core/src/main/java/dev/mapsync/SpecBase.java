package dev.mapsync;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What every kind of spec shares: its {@link MapLocation}, and the withers that change it, each returning a spec of
 * the same kind ({@code S}).
 *
 * @param <S> the kind of spec
 * @param <V> the Java type of a value
 */
abstract class SpecBase<S extends SpecBase<S, V>, V> {
    final MapLocation location;

    SpecBase(MapLocation location) {
        this.location = location;
    }

    /** This spec at another location. */
    abstract S at(MapLocation location);

    /** {@return where the map is and how it is reached} */
    public MapLocation location() {
        return location;
    }

    /**
     * The same spec with another backend.
     *
     * @param backend where the map's values are to live
     * @return the changed copy
     * @throws IllegalArgumentException if the map cannot live there ({@link MapLocation#backend(Backend)})
     */
    public S backend(Backend backend) {
        return at(location.backend(backend));
    }

    /**
     * The same spec in another folder (shm backend; bpf sidecars also go there).
     *
     * @param dir the folder
     * @return the changed copy
     * @throws IllegalArgumentException for a spec made from a file path, whose folder is fixed
     */
    public S dir(Path dir) {
        return at(location.dir(dir));
    }

    /**
     * The same spec with other permission bits for a new map's file (and pin), set exactly, whatever the umask.
     *
     * @param mode the bits, such as {@code 0660} to share with the group
     * @return the changed copy
     * @throws IllegalArgumentException if the bits are not in 0..0777
     */
    public S mode(int mode) {
        return at(location.mode(mode));
    }

    /**
     * The same spec for the one process that keeps a read replica in step with its leader on another host
     * ({@link MapLocation#replica()}): only such a handle writes a replica.
     *
     * @return the changed copy
     */
    public S replica() {
        return at(location.replica());
    }

    /**
     * The same spec with another bound on how long an opener waits for a map's creator to finish it.
     *
     * @param timeout the bound (default {@link MapSpec#DEFAULT_OPEN_TIMEOUT})
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    public S openTimeout(Duration timeout) {
        return at(location.openTimeout(timeout));
    }

    /**
     * The same spec with another default bound on lock waits.
     *
     * @param timeout the bound (default {@link MapSpec#DEFAULT_LOCK_TIMEOUT})
     * @return the changed copy
     * @throws IllegalArgumentException if the timeout is negative
     */
    public S lockTimeout(Duration timeout) {
        return at(location.lockTimeout(timeout));
    }
}
