package dev.mapsync.internal.store;

import dev.mapsync.internal.sys.Arch;

/**
 * Where the synchronization words live inside the control region, which follows the header. The control
 * region is ordinary shared memory in both backends (for bpf maps it is the sidecar file), because a futex
 * on BPF-mapped memory fails with EFAULT.
 *
 * <pre>
 * offset (from the control region start)     size              content
 *      0                                      64                map-wide lock record (see LockRecord)
 *     64                                      64                event block (change notifications)
 *    128                                     128                reserved
 *    256                                      SLOTS x 32        process slots (who has the map open)
 *    256 + SLOTS x 32                         stripes x 64      lock records, one per stripe
 *    ...                                      capacity x 32     changelog
 *    ...                                      SLOTS x 8         slot counters: subscriptions and waiters per slot
 *    ...                                      capacity x K      change keys (keyed maps only): the key of change
 *                                                               seq at ((seq - 1) mod capacity) x K, K = key stride
 * </pre>
 * The region's length is rounded up to a page, so the data region that follows is page-aligned.
 *
 * @param changeKeySize the bytes of key each changelog entry keeps beside it (the key stride of a hash map), or 0
 *                      when a change's key fits in the entry itself (an array index)
 */
public record ControlLayout(int stripes, int changelogCapacity, int changeKeySize) {
    public static final long MAP_LOCK = 0;
    public static final long EVENT_BLOCK = 64;
    public static final long SLOTS = 256;
    public static final int SLOT_COUNT = 1024;
    public static final long SLOT_SIZE = 32;
    public static final long LOCK_RECORD_SIZE = 64;
    public static final long CHANGELOG_ENTRY_SIZE = 32;
    public static final long SLOT_COUNTERS_SIZE = 8;

    public static final int DEFAULT_MAX_STRIPES = 4096;
    public static final int DEFAULT_CHANGELOG = 4096;

    /** The layout of a map whose changes are named by index alone (arrays). */
    public ControlLayout(int stripes, int changelogCapacity) {
        this(stripes, changelogCapacity, 0);
    }

    /** The offset of the first stripe's lock record. */
    public long stripesOffset() {
        return SLOTS + SLOT_COUNT * SLOT_SIZE;
    }

    /** The offset of the changelog. */
    public long changelogOffset() {
        return stripesOffset() + stripes * LOCK_RECORD_SIZE;
    }

    /** The offset of the per-slot counters of subscriptions and sleeping waiters. */
    public long slotCountersOffset() {
        return changelogOffset() + changelogCapacity * CHANGELOG_ENTRY_SIZE;
    }

    /** The offset of the change keys (meaningful when {@link #changeKeySize} is not 0). */
    public long changeKeysOffset() {
        return slotCountersOffset() + SLOT_COUNT * SLOT_COUNTERS_SIZE;
    }

    /** The page-rounded length of the control region. */
    public long length() {
        return Arch.pageAlign(changeKeysOffset() + (long) changelogCapacity * changeKeySize);
    }

    /** The default stripe count for a map of {@code entries}: one lock per entry up to a limit. */
    public static int defaultStripes(int entries) {
        return Math.min(entries, DEFAULT_MAX_STRIPES);
    }
}
