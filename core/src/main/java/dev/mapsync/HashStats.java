package dev.mapsync;

/**
 * How full a hash map is and how well its keys spread, for {@code mapsync info} ({@link SharedHashMap#stats()}). An
 * immutable value.
 *
 * @param entries      the number of entries
 * @param capacity     how many entries the map holds at most (a kernel map's {@code max_entries})
 * @param segments     the segments (shm: tables with their own lock; bpf: lock stripes)
 * @param slots        the slots of the table (shm: every slot of every segment; bpf: {@code max_entries})
 * @param longestProbe the most slots a lookup of a present key inspects (1 = every key sits where its hash points);
 *                     -1 when the table is the kernel's, whose buckets user space cannot see
 * @param tombstones   slots left as tombstones by deletes a dying writer cut short (0 normally; the next writer of
 *                     the segment clears them)
 */
public record HashStats(long entries, int capacity, int segments, long slots, int longestProbe, long tombstones) {
    /** {@return {@code entries / capacity}, or 0 for a map of no capacity} */
    public double fillRatio() {
        return capacity == 0 ? 0 : (double) entries / capacity;
    }
}
