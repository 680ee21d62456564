package dev.mapsync.internal.hash;

import dev.mapsync.CorruptMapException;
import dev.mapsync.internal.codec.Layouts;
import dev.mapsync.internal.layout.HashLayout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.mapsync.internal.layout.HashLayout.IMAGE;
import static dev.mapsync.internal.layout.HashLayout.J_A;
import static dev.mapsync.internal.layout.HashLayout.J_A_META;
import static dev.mapsync.internal.layout.HashLayout.J_B;
import static dev.mapsync.internal.layout.HashLayout.J_B_META;
import static dev.mapsync.internal.layout.HashLayout.J_COUNT;
import static dev.mapsync.internal.layout.HashLayout.J_FLAGS;
import static dev.mapsync.internal.layout.HashLayout.J_IMAGE;
import static dev.mapsync.internal.layout.HashLayout.J_TAG;
import static dev.mapsync.internal.layout.HashLayout.J_TOMBSTONES;
import static dev.mapsync.internal.layout.HashLayout.META;
import static dev.mapsync.internal.layout.HashLayout.SEQ;
import static dev.mapsync.internal.layout.HashLayout.TOMBSTONES;

/**
 * The write windows of a segment: every change to a segment happens inside one, and touches at most two slots.
 *
 * <p><b>Opening</b> (holding the segment's lock, sequence {@code s} even): write the journal (slot A and B and
 * their meta words, the segment's count and tombstones, and for an in-place value change slot A's old value), then
 * store the journal tag {@code s + 1}, then the sequence {@code s + 1}, both with release semantics. <b>Closing</b>:
 * store the sequence {@code s + 2}. Between the two, the journal describes the segment as it was before the window,
 * and a window never changes a byte the journal does not cover: it writes the key and value bytes only of a slot
 * whose old meta says empty or tombstone (so nobody reads them), or the value of slot A whose old value is in the
 * image. Hence anyone may read the segment as it was before the window, while it is open, by reading through the
 * journal ({@link #overlay}); readers never wait for a writer, live or dead.
 *
 * <p><b>Rolling back</b>: a lock owner that finds the sequence odd (its writer died inside the window) restores the
 * journal's meta words, image, count and tombstones (exactly what readers already see) and makes the sequence even.
 * At most the dead writer's one window is lost; a delete cut short between windows leaves tombstones, which the next
 * writer sweeps.
 */
final class Windows {
    static final VarHandle INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final MemorySegment data;
    private final HashLayout layout;
    private final String mapName;

    Windows(MemorySegment data, HashLayout layout, String mapName) {
        this.data = data;
        this.layout = layout;
        this.mapName = mapName;
    }

    /**
     * Opens a window that changes slot {@code a} (and {@code b}, or -1) of segment {@code g} at {@code seg}.
     *
     * @param image true when slot A's value is changed in place: its old value goes to the image
     */
    void open(long seg, int g, int a, int aMeta, int b, int bMeta, boolean image) {
        HashTestHooks.opened();
        int s = data.get(Layouts.INT, seg + SEQ);
        data.set(Layouts.INT, seg + J_A, a + 1);
        data.set(Layouts.INT, seg + J_A_META, aMeta);
        data.set(Layouts.INT, seg + J_B, b + 1);
        data.set(Layouts.INT, seg + J_B_META, bMeta);
        data.set(Layouts.INT, seg + J_COUNT, count(g));
        data.set(Layouts.INT, seg + J_TOMBSTONES, data.get(Layouts.INT, seg + TOMBSTONES));
        data.set(Layouts.INT, seg + J_FLAGS, image ? J_IMAGE : 0);
        if (image) MemorySegment.copy(data, valueOf(seg, a), data, seg + IMAGE, layout.valueSize);
        INT.setRelease(data, seg + J_TAG, s + 1);
        INT.setRelease(data, seg + SEQ, s + 1);
        VarHandle.storeStoreFence(); // no change of the window moves above the odd sequence
    }

    /** Closes the window: readers see its changes from now on. */
    void close(long seg) {
        int s = data.get(Layouts.INT, seg + SEQ);
        INT.setRelease(data, seg + SEQ, s + 1);
    }

    /** True when a window is open: its writer is inside it, or died there. */
    boolean isOpen(long seg) {
        return (data.get(Layouts.INT, seg + SEQ) & 1) != 0;
    }

    /**
     * Undoes the window a dead writer left open on segment {@code g}; the caller holds the segment's lock.
     *
     * @throws CorruptMapException if the journal does not belong to the open window
     */
    void rollBack(long seg, int g) {
        int s = data.get(Layouts.INT, seg + SEQ);
        int tag = data.get(Layouts.INT, seg + J_TAG);
        if (tag != s) {
            throw new CorruptMapException("map '" + mapName + "' is corrupt: segment " + g + " has a write window open"
                    + " (sequence " + s + ") whose journal belongs to window " + tag + ", so it cannot be undone");
        }
        int a = data.get(Layouts.INT, seg + J_A) - 1;
        int b = data.get(Layouts.INT, seg + J_B) - 1;
        if (a >= 0) {
            if ((data.get(Layouts.INT, seg + J_FLAGS) & J_IMAGE) != 0) {
                MemorySegment.copy(data, seg + IMAGE, data, valueOf(seg, a), layout.valueSize);
            }
            data.set(Layouts.INT, layout.slot(seg, a) + META, data.get(Layouts.INT, seg + J_A_META));
        }
        if (b >= 0) data.set(Layouts.INT, layout.slot(seg, b) + META, data.get(Layouts.INT, seg + J_B_META));
        setCount(g, data.get(Layouts.INT, seg + J_COUNT));
        data.set(Layouts.INT, seg + TOMBSTONES, data.get(Layouts.INT, seg + J_TOMBSTONES));
        INT.setRelease(data, seg + SEQ, s + 1);
    }

    /** What a reader who found sequence {@code seq} odd must see instead of the slots the window changes. */
    record Overlay(int a, int aMeta, int b, int bMeta, boolean image, int count) {
        static final Overlay NONE = new Overlay(-1, 0, -1, 0, false, -1);

        /** The meta of slot {@code i} as it was before the window, given its current meta. */
        int meta(int i, int current) {
            return i == a ? aMeta : i == b ? bMeta : current;
        }
    }

    /**
     * The journal of the window with odd sequence {@code seq}, or null when it does not belong to that window (a
     * journal being rewritten for a later window: the caller's sequence check will fail).
     */
    Overlay overlay(long seg, int seq) {
        if ((int) INT.getAcquire(data, seg + J_TAG) != seq) return null;
        return new Overlay(data.get(Layouts.INT, seg + J_A) - 1, data.get(Layouts.INT, seg + J_A_META),
                data.get(Layouts.INT, seg + J_B) - 1, data.get(Layouts.INT, seg + J_B_META),
                (data.get(Layouts.INT, seg + J_FLAGS) & J_IMAGE) != 0, data.get(Layouts.INT, seg + J_COUNT));
    }

    int count(int g) {
        return data.get(Layouts.INT, HashLayout.count(g));
    }

    void setCount(int g, int count) {
        INT.setOpaque(data, HashLayout.count(g), count);
    }

    long valueOf(long seg, int slot) {
        return layout.slot(seg, slot) + layout.valueOffset;
    }
}
