package dev.mapsync;

/**
 * What every handle of a map has, whatever the map's kind: a name, a backend, a description, and a close. Tools that
 * work on any map (describing, listing, exporting) take a {@code SharedMap}; {@link SharedMaps#open(MapLocation)}
 * opens a map of any kind as the handle of its kind, to use with a {@code switch} over the kinds:
 *
 * <pre>{@code
 * try (SharedMap map = SharedMaps.open(MapSpec.existing("jobs"))) {
 *     switch (map) {
 *         case SharedArray<?> array -> ...;
 *         case SharedHashMap<?, ?> hash -> ...;
 *         case SharedQueue<?> queue -> ...;
 *         case SharedRing ring -> ...;
 *         case SharedBarrier barrier -> ...;
 *         case SharedCounters counters -> ...;
 *     }
 * }
 * }</pre>
 *
 * <p>Every handle is safe to use from many threads; each kind's class says how, and what its operations throw. A
 * handle's operations after its {@link #close()} throw {@link MapClosedException}.
 */
public sealed interface SharedMap extends AutoCloseable
        permits SharedArray, SharedHashMap, SharedRing, SharedQueue, SharedBarrier, SharedCounters {
    /** {@return the map's name} */
    String name();

    /** {@return where the map's values live} */
    Backend backend();

    /**
     * What the map's header says about it.
     *
     * @return the map's description, read now
     * @throws MapClosedException if this handle is closed
     */
    MapInfo info();

    /** {@return true once {@link #close()} was called} */
    boolean isClosed();

    /**
     * Gives back what this handle holds (its mapping, its process slot, any role it took). Idempotent; any thread may
     * call it, and later calls on the handle, from any thread, throw {@link MapClosedException}.
     */
    @Override
    void close();
}
