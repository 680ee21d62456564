package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

/**
 * The blueprint of a queue ({@link SharedQueue}): a ring of {@link #capacity()} bytes whose records are values of
 * {@link #codec()}. Made by {@link MapSpec#queue}. Immutable and thread-safe: each wither returns a changed copy.
 *
 * <p>Taken by {@link SharedQueue}'s {@code create}, {@code open} and {@code openOrCreate}, and by {@link SharedRing}'s,
 * which open the queue's ring to reach its records as bytes.
 *
 * @param <T> the Java type of a value
 */
@SuppressWarnings("doclint:missing") // for capacity(), whose comment gives no @return tag yet
public final class QueueSpec<T> extends SpecBase<QueueSpec<T>, T> implements MapSpec<T> {
    private final Codec<T> codec;
    private final int capacity;

    QueueSpec(MapLocation location, Codec<T> codec, int capacity) {
        super(location);
        this.codec = codec;
        this.capacity = capacity;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    QueueSpec<T> at(MapLocation l) {
        return new QueueSpec<>(l, codec, capacity);
    }

    /** {@return the codec of the values} */
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
