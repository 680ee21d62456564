package dev.mapsync;

import dev.mapsync.internal.store.Blueprint;

/**
 * The blueprint of a queue ({@link SharedQueue}) of {@link #capacityValues()} values of {@link #codec()}, in a ring
 * of {@link #capacityBytes()} bytes. Made by {@link MapSpec#queue}. Immutable and thread-safe: each wither returns a
 * changed copy.
 *
 * <p>Taken by {@link SharedQueue}'s {@code create}, {@code open} and {@code openOrCreate}, and by {@link SharedRing}'s,
 * which open the queue's ring to reach its records as bytes.
 *
 * @param <T> the Java type of a value
 */
public final class QueueSpec<T> extends SpecBase<QueueSpec<T>, T> implements MapSpec<T> {
    private final Codec<T> codec;
    private final int values;
    private final int bytes;

    QueueSpec(MapLocation location, Codec<T> codec, int values, int bytes) {
        super(location);
        this.codec = codec;
        this.values = values;
        this.bytes = bytes;
    }

    @Override
    public MapType type() {
        return MapType.RING;
    }

    @Override
    QueueSpec<T> at(MapLocation l) {
        return new QueueSpec<>(l, codec, values, bytes);
    }

    /** {@return the codec of the values} */
    public Codec<T> codec() {
        return codec;
    }

    /** {@return the values the queue was asked to hold ({@link MapSpec#queue})} Its ring may have room for a few more. */
    public int capacityValues() {
        return values;
    }

    /**
     * {@return the bytes of the queue's ring} The smallest power of two, one page at least, that holds
     * {@link #capacityValues()} records of {@code round_up(8 + codec.size(), 8)} bytes.
     */
    public int capacityBytes() {
        return bytes;
    }

    Blueprint blueprint() {
        return location.blueprint(MapType.RING, codec, null, bytes, 0, 0, 0);
    }

    @Override
    public String toString() {
        return blueprint().toString();
    }
}
