package dev.mapsync;

/**
 * One change to a hash map: the key, what happened to it, its sequence number in the map's change log, and the pid
 * of the process that made it. The value is read from the map when needed (it may have changed again since). An
 * immutable value (as its key is, if the key codec's values are), delivered by {@link KeyChangeCursor#poll} and
 * {@link SharedHashMap#watch}.
 *
 * @param key  the key that changed
 * @param kind whether it was put, removed, or changed by an atomic operation
 * @param seq  the change's sequence number, counted from 1 for the map's first recorded change
 * @param pid  the writer's pid in its own pid namespace
 * @param <K>  the Java type of the map's keys
 */
public record KeyChange<K>(K key, Kind kind, long seq, int pid) implements KeyChangeEvent<K> {
    /** What happened to a key. */
    public enum Kind {
        /** A value was stored: the key was inserted, or its value replaced. */
        PUT,
        /** The key was removed. */
        REMOVE,
        /** A numeric field of the value changed by an atomic operation ({@code getAndAdd}), inserting the key if absent. */
        ADD
    }
}
