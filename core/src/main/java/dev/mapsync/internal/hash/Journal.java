package dev.mapsync.internal.hash;

import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;

import static dev.mapsync.internal.hash.HashLayout.EMPTY;
import static dev.mapsync.internal.hash.HashLayout.J_A;
import static dev.mapsync.internal.hash.HashLayout.J_A_META;
import static dev.mapsync.internal.hash.HashLayout.J_B;
import static dev.mapsync.internal.hash.HashLayout.J_B_META;
import static dev.mapsync.internal.hash.HashLayout.J_COUNT;
import static dev.mapsync.internal.hash.HashLayout.J_FLAGS;
import static dev.mapsync.internal.hash.HashLayout.J_IMAGE;
import static dev.mapsync.internal.hash.HashLayout.J_TAG;
import static dev.mapsync.internal.hash.HashLayout.J_TOMBSTONES;
import static dev.mapsync.internal.hash.HashLayout.OCCUPIED;
import static dev.mapsync.internal.hash.HashLayout.TOMBSTONE;

/**
 * The journal of a segment's write window (see {@link Windows}) as read from the segment header: slot A and B (-1 for
 * none) with their metas before the window, whether the image holds A's old value, and the counts before the window.
 * A journal is only ever written whole before its window opens, so one that a window with an odd sequence could not
 * have (its tag another window's, slots the segment does not have, a meta no slot has, counts beyond the segment) was
 * written by someone else: {@link #problem} says what is wrong, and nobody may read through it or undo it.
 */
record Journal(int tag, int a, int aMeta, int b, int bMeta, int flags, int count, int tombstones) {
    /** The journal of no window: a reader of a segment with an even sequence reads the slots as they are. */
    static final Journal NONE = new Journal(0, -1, 0, -1, 0, 0, 0, 0);

    /** The journal in the segment header at {@code seg} of {@code m} (the mapped data, or a copy of one segment). */
    static Journal read(MemorySegment m, long seg) {
        return new Journal(m.get(Layouts.INT, seg + J_TAG), m.get(Layouts.INT, seg + J_A) - 1,
                m.get(Layouts.INT, seg + J_A_META), m.get(Layouts.INT, seg + J_B) - 1, m.get(Layouts.INT, seg + J_B_META),
                m.get(Layouts.INT, seg + J_FLAGS), m.get(Layouts.INT, seg + J_COUNT),
                m.get(Layouts.INT, seg + J_TOMBSTONES));
    }

    boolean image() {
        return (flags & J_IMAGE) != 0;
    }

    /** The meta of slot {@code i} as it was before the window, given its current meta. */
    int meta(int i, int current) {
        return i == a ? aMeta : i == b ? bMeta : current;
    }

    /**
     * What is wrong with this journal as that of the window open with odd sequence {@code seq} in a segment of
     * {@code slots} slots, or null when a writer could have written it.
     */
    String problem(int seq, int slots) {
        if (tag != seq) return "belongs to window " + tag;
        if (a < -1 || a >= slots) return "names slot " + a + " as its slot A, and the segment has slots 0.." + (slots - 1);
        if (b < -1 || b >= slots) return "names slot " + b + " as its slot B, and the segment has slots 0.." + (slots - 1);
        if (b >= 0 && (a < 0 || a == b)) return "names slot " + b + " as its slot B and " + a + " as its slot A";
        if (a >= 0 && !isMeta(aMeta)) return "holds " + aMeta + " as slot A's meta, which no slot has";
        if (b >= 0 && !isMeta(bMeta)) return "holds " + bMeta + " as slot B's meta, which no slot has";
        if ((flags & ~3) != 0 || image() && a < 0) return "has flags " + flags;
        if (Integer.compareUnsigned(count, slots) > 0) return "holds a live count of " + Integer.toUnsignedString(count)
                + ", more than the segment's " + slots + " slots";
        if (Integer.compareUnsigned(tombstones, slots) > 0) return "holds " + Integer.toUnsignedString(tombstones)
                + " tombstones, more than the segment's " + slots + " slots";
        return null;
    }

    /** True for the metas a slot can have: empty, tombstone, or occupied by a key with some tag. */
    static boolean isMeta(int meta) {
        return meta == EMPTY || meta == TOMBSTONE || (meta & 3) == OCCUPIED;
    }
}
