package dev.mapsync.internal.hash;

import java.lang.foreign.MemorySegment;

/**
 * What an update does to one key, decided under the key's lock from what is stored there. It runs before anything
 * changes, so if it throws, the map is left as it was.
 */
@FunctionalInterface
public interface Update {
    /** Leave the key as it is. */
    int KEEP = 0;
    /** Store the value written into {@code into} (inserting the key if it is absent). */
    int WRITE = 1;
    /** Remove the key (nothing happens if it is absent). */
    int REMOVE = 2;
    /** As {@link #WRITE}, announced to subscribers as an atomic operation. */
    int ADD = 3;

    /**
     * @param current the stored value (valid during the call only), or null when the key is absent
     * @param into    where to write a new value: value-size bytes
     * @return {@link #KEEP}, {@link #WRITE}, {@link #REMOVE} or {@link #ADD}
     */
    int decide(MemorySegment current, MemorySegment into);
}
