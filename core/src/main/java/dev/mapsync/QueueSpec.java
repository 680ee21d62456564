package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The blueprint of a queue ({@link SharedQueue}): a ring of {@link #capacity()} bytes whose records are values of
 * {@link #codec()}. Made by {@link MapSpec#queue}. Immutable and thread-safe: each wither returns a changed copy.
 *
 * @param <T> the Java type of a value
 */
public final class QueueSpec<T> implements MapSpec<T> {
    private final MapLocation location;
    private final Codec<T> codec;
    private final int capacity;

    QueueSpec(MapLocation location, Codec<T> codec, int capacity) {
        this.location = location;
        this.codec = codec;
        this.capacity = capacity;
    }

    @Override
    public MapLocation location() {
        return location;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    public QueueSpec<T> backend(Backend backend) {
        return new QueueSpec<>(location.backend(backend), codec, capacity);
    }

    @Override
    public QueueSpec<T> dir(Path dir) {
        return new QueueSpec<>(location.dir(dir), codec, capacity);
    }

    @Override
    public QueueSpec<T> mode(int mode) {
        return new QueueSpec<>(location.mode(mode), codec, capacity);
    }

    @Override
    public QueueSpec<T> openTimeout(Duration timeout) {
        return new QueueSpec<>(location.openTimeout(timeout), codec, capacity);
    }

    @Override
    public QueueSpec<T> lockTimeout(Duration timeout) {
        return new QueueSpec<>(location.lockTimeout(timeout), codec, capacity);
    }

    public Codec<T> codec() {
        return codec;
    }

    /** Bytes of the ring; each value takes {@code round_up(8 + codec.size(), 8)} of them. */
    public int capacity() {
        return capacity;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.RING, codec, null, capacity, 0, 0, 0);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
