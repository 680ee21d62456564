package dev.mapsync.internal.hash;

import dev.mapsync.HashStats;

import java.lang.foreign.MemorySegment;

/**
 * A hash map's operations on encoded keys and values, whatever holds the table: shared memory
 * ({@link ShmHashTable}) or a kernel hash map ({@code KernelHashTable}). Keys are key-size bytes and values
 * value-size bytes at offset 0 of the segments given; the table copies what it keeps.
 */
public interface HashTable {
    /**
     * Copies the value of {@code key} into {@code valueOut}.
     *
     * @return false when the key is absent (and {@code valueOut} is unchanged)
     */
    boolean get(MemorySegment key, MemorySegment valueOut);

    /**
     * Runs {@code update} under the key's lock and applies what it decides, recording the change for subscribers.
     *
     * @param into scratch of at least the value size that {@code update} writes a new value into
     * @return true if the key was present before
     * @throws dev.mapsync.MapFullException if a new key does not fit (nothing changed)
     */
    boolean update(MemorySegment key, MemorySegment into, Update update);

    /**
     * Stores {@code value} under {@code key} whether or not the key is present, recording the change.
     *
     * @throws dev.mapsync.MapFullException if the key is new and does not fit (nothing changed)
     */
    default void write(MemorySegment key, MemorySegment value) {
        update(key, value, (current, into) -> Update.WRITE);
    }

    /**
     * The lock stripe (segment) that guards {@code key}: the lock {@link #update} takes, unless the calling thread
     * holds it already.
     */
    int stripeOf(MemorySegment key);

    /** The number of entries (see each table for how exact it is under concurrent writes). */
    long size();

    /** Removes every entry, one at a time; not atomic. Each removal is announced to subscribers. */
    void clear();

    /** The entries, in the table's order; each table says which snapshot they come from. */
    Entries entries();

    /** The entries for a dump of the whole map: {@link #entries()}, or a faster bulk path where the table has one. */
    default Entries dump() {
        return entries();
    }

    /** Fill, probe lengths and leftovers, for {@code mapsync info}. */
    HashStats stats();

    /** A cursor over entries, filled one at a time into the caller's buffers. */
    interface Entries {
        /**
         * Copies the next entry's key and value.
         *
         * @return false when there are no more entries
         */
        boolean next(MemorySegment keyOut, MemorySegment valueOut);
    }
}
