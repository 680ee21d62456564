package dev.mapsync.internal.hash;

import dev.mapsync.internal.hooks.TestHooks;
import dev.mapsync.CorruptMapException;
import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.mapsync.internal.hash.HashLayout.IMAGE;
import static dev.mapsync.internal.hash.HashLayout.J_A;
import static dev.mapsync.internal.hash.HashLayout.J_A_META;
import static dev.mapsync.internal.hash.HashLayout.J_B;
import static dev.mapsync.internal.hash.HashLayout.J_B_META;
import static dev.mapsync.internal.hash.HashLayout.J_COUNT;
import static dev.mapsync.internal.hash.HashLayout.J_FLAGS;
import static dev.mapsync.internal.hash.HashLayout.J_IMAGE;
import static dev.mapsync.internal.hash.HashLayout.J_TAG;
import static dev.mapsync.internal.hash.HashLayout.J_TOMBSTONES;
import static dev.mapsync.internal.hash.HashLayout.META;
import static dev.mapsync.internal.hash.HashLayout.SEQ;
import static dev.mapsync.internal.hash.HashLayout.TOMBSTONES;
import static dev.mapsync.internal.sys.Words.INT;

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
        if (TestHooks.ENABLED) TestHooks.hashWindowOpened();
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
     * @throws CorruptMapException if the journal is not one the open window's writer could have written
     */
    void rollBack(long seg, int g) {
        int s = data.get(Layouts.INT, seg + SEQ);
        Journal j = Journal.read(data, seg);
        String problem = j.problem(s, layout.slotsPerSegment);
        if (problem != null) throw corrupt(g, s, problem);
        if (j.a() >= 0) {
            if (j.image()) MemorySegment.copy(data, seg + IMAGE, data, valueOf(seg, j.a()), layout.valueSize);
            data.set(Layouts.INT, layout.slot(seg, j.a()) + META, j.aMeta());
        }
        if (j.b() >= 0) data.set(Layouts.INT, layout.slot(seg, j.b()) + META, j.bMeta());
        setCount(g, j.count());
        data.set(Layouts.INT, seg + TOMBSTONES, j.tombstones());
        INT.setRelease(data, seg + SEQ, s + 1);
    }

    /**
     * The journal of the window with odd sequence {@code seq}, to read the segment through; or null when it is not one
     * that window's writer wrote: a journal being rewritten for a later window (the caller's sequence check will fail,
     * and it tries again), or a corrupt one ({@link #checkMoved} tells the two apart).
     */
    Journal overlay(long seg, int seq) {
        if ((int) INT.getAcquire(data, seg + J_TAG) != seq) return null;
        Journal j = Journal.read(data, seg);
        return j.problem(seq, layout.slotsPerSegment) == null ? j : null;
    }

    /**
     * For a reader that found no journal it can read through at sequence {@code seq}: if the sequence has not moved
     * since, no writer is rewriting the journal (a writer only does so before its window's sequence is stored, and the
     * tag is stored before it), so the journal is corrupt.
     *
     * @throws CorruptMapException if the sequence is still {@code seq}
     */
    void checkMoved(long seg, int g, int seq) {
        VarHandle.loadLoadFence();
        if ((int) INT.get(data, seg + SEQ) != seq) return;
        String problem = Journal.read(data, seg).problem(seq, layout.slotsPerSegment);
        if (problem != null) throw corrupt(g, seq, problem);
    }

    /** The exception for segment {@code g} whose open window (sequence {@code seq}) has a journal with {@code problem}. */
    CorruptMapException corrupt(int g, int seq, String problem) {
        return new CorruptMapException("map '" + mapName + "' is corrupt: segment " + g + " has a write window open"
                + " (sequence " + Integer.toUnsignedString(seq) + ") whose journal " + problem + ", so it can be neither"
                + " read through nor undone");
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
