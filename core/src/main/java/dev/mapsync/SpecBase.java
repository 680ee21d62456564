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

    public MapLocation location() {
        return location;
    }

    public S backend(Backend backend) {
        return at(location.backend(backend));
    }

    public S dir(Path dir) {
        return at(location.dir(dir));
    }

    public S mode(int mode) {
        return at(location.mode(mode));
    }

    public S openTimeout(Duration timeout) {
        return at(location.openTimeout(timeout));
    }

    public S lockTimeout(Duration timeout) {
        return at(location.lockTimeout(timeout));
    }
}
