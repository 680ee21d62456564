package dev.mapsync.internal.hash;

import dev.mapsync.internal.hooks.TestHooks;
import dev.mapsync.CorruptMapException;
import dev.mapsync.HashStats;
import dev.mapsync.LockTimeoutException;
import dev.mapsync.MapFullException;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.lock.EntryLocks;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.hash.HashLayout.EMPTY;
import static dev.mapsync.internal.hash.HashLayout.HOME;
import static dev.mapsync.internal.hash.HashLayout.KEY;
import static dev.mapsync.internal.hash.HashLayout.META;
import static dev.mapsync.internal.hash.HashLayout.SEQ;
import static dev.mapsync.internal.hash.HashLayout.TOMBSTONE;
import static dev.mapsync.internal.hash.HashLayout.TOMBSTONES;

/**
 * A hash map in shared memory ({@link HashLayout}): segments of linear-probing slots, each segment guarded by one
 * robust lock (a stripe of {@link EntryLocks}) and one sequence word.
 *
 * <p><b>Reads</b> take no lock: they read the segment's sequence, probe, copy the value, and check that the sequence
 * did not move; while a write window is open they read through its journal, which shows the segment as it was
 * before the window ({@link Windows}). A reader retries only when a window opened or closed under it, and never
 * waits for a writer, even a dead one.
 *
 * <p><b>Writes</b> take the segment's lock; the first thing a new owner does is undo a window its dead predecessor
 * left open and sweep the tombstones a cut-short delete left. Every change is one window touching at most two slots:
 * an insert fills a free slot; an update rewrites a value in place (its old value in the journal); a delete turns
 * the slot into a tombstone, then shifts later keys of its cluster back one window per key (backward-shift deletion,
 * so deletes leave no tombstones behind and lookups do not degrade), and finally empties the last hole.
 *
 * <p>{@link #size()} sums the segments' counts without locks: exact when no write is in flight.
 */
public final class ShmHashTable implements HashTable {
    private static final int READ_SPINS = 100;
    /** What {@link #probe} returns, less the slot, for a slot whose meta no slot has. */
    private static final int BAD_META = -2;

    private final MemorySegment data;
    private final HashLayout layout;
    private final Windows windows;
    private final EntryLocks locks;
    private final ChangeLog changes;
    private final String mapName;
    private final long seed;
    private final int segments;
    private final int slots;
    private final int keySize;
    private final int valueSize;
    private final long valueOffset;
    /** How close to the capacity the entries hint may come before inserts count the entries exactly. */
    private static final int NEAR_FULL = 64;
    /** Inserts between exact counts that correct the hint, however far from full the map is. */
    private static final int RECOUNT_EVERY = 4096;
    private static final java.lang.invoke.VarHandle LONG =
            java.lang.foreign.ValueLayout.JAVA_LONG.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN).varHandle();
    private int insertsSinceRecount;

    public ShmHashTable(MemorySegment data, HashLayout layout, EntryLocks locks, ChangeLog changes, String mapName) {
        this.data = data;
        this.layout = layout;
        this.windows = new Windows(data, layout, mapName);
        this.locks = locks;
        this.changes = changes;
        this.mapName = mapName;
        this.seed = data.get(Layouts.LONG, HashLayout.SEED);
        this.segments = layout.segments;
        this.slots = layout.slotsPerSegment;
        this.keySize = layout.keySize;
        this.valueSize = layout.valueSize;
        this.valueOffset = layout.valueOffset;
    }

    // ----------------------------------------------------------------------------------------------- reads

    @Override
    public boolean get(MemorySegment key, MemorySegment valueOut) {
        long h = KeyHash.of(key, 0, keySize, seed);
        int g = KeyHash.segment(h, segments);
        return lookup(layout.segment(g), g, KeyHash.home(h, slots), KeyHash.occupiedMeta(h), key, valueOut) >= 0;
    }

    /** The slot of {@code key} in a consistent view of the segment, copying its value into {@code valueOut}; or -1. */
    private int lookup(long seg, int g, int home, int meta, MemorySegment key, MemorySegment valueOut) {
        long start = 0;
        for (int attempt = 0; ; attempt++) {
            int s1 = (int) INT.getAcquire(data, seg + SEQ);
            Journal overlay = Journal.NONE;
            if ((s1 & 1) != 0) overlay = windows.overlay(seg, s1);
            if (overlay != null) {
                int found = probe(seg, home, meta, key, overlay);
                if (found < -1) {
                    // a meta no writer writes, unless a window opened or closed under the probe: look again then
                    VarHandle.loadLoadFence();
                    if ((int) INT.get(data, seg + SEQ) == s1) throw badMeta(seg, g, found, overlay);
                    start = backOff(attempt, start, g);
                    continue;
                }
                if (found >= 0 && valueOut != null) {
                    long from = found == overlay.a() && overlay.image() ? seg + HashLayout.IMAGE : layout.slot(seg, found) + valueOffset;
                    MemorySegment.copy(data, from, valueOut, 0, valueSize);
                }
                VarHandle.loadLoadFence();
                if ((int) INT.get(data, seg + SEQ) == s1) return found;
            } else {
                windows.checkMoved(seg, g, s1); // a journal no writer is rewriting is corrupt: never wait on it
            }
            start = backOff(attempt, start, g);
        }
    }

    /**
     * Probes from {@code home} for the key, reading metas through the overlay.
     *
     * @return the key's slot; -1 if it is absent; or {@code BAD_META - i} when slot {@code i} holds a meta no slot has
     */
    private int probe(long seg, int home, int meta, MemorySegment key, Journal overlay) {
        int i = home;
        for (int n = 0; n < slots; n++) {
            long slot = layout.slot(seg, i);
            int m = overlay.meta(i, data.get(Layouts.INT, slot + META));
            if (m == EMPTY) return -1;
            if (m == meta) {
                if (MemorySegment.mismatch(data, slot + KEY, slot + KEY + keySize, key, 0, keySize) < 0) return i;
            } else if (!Journal.isMeta(m)) {
                return BAD_META - i;
            }
            if (++i == slots) i = 0;
        }
        return -1;
    }

    /** The exception for the meta no slot has that {@link #probe} found ({@code found < -1}) in segment {@code g}. */
    private CorruptMapException badMeta(long seg, int g, int found, Journal overlay) {
        int i = BAD_META - found;
        return corruptMeta(g, i, overlay.meta(i, data.get(Layouts.INT, layout.slot(seg, i) + META)));
    }

    /** Waits a little before a reader's next attempt; gives up after the lock timeout. */
    private long backOff(int attempt, long start, int g) {
        if (attempt < READ_SPINS) {
            Thread.onSpinWait();
            return start;
        }
        long now = System.nanoTime();
        if (start == 0) return now;
        if (now - start - locks.timeoutNanos() >= 0) {
            throw new LockTimeoutException("timed out after " + (now - start) / 1_000_000 + " ms reading segment " + g
                    + " of map '" + mapName + "': writers kept changing it under every attempt", 0, true, null);
        }
        if (attempt < READ_SPINS + 20) Thread.yield();
        else LockSupport.parkNanos(Math.min(1_000_000L, 1_000L << Math.min(10, attempt - READ_SPINS - 20)));
        return start;
    }

    // ---------------------------------------------------------------------------------------------- writes

    @Override
    public boolean update(MemorySegment key, MemorySegment into, Update update) {
        long h = KeyHash.of(key, 0, keySize, seed);
        int g = KeyHash.segment(h, segments);
        long seg = layout.segment(g);
        int home = KeyHash.home(h, slots);
        int meta = KeyHash.occupiedMeta(h);
        long rec = locks.stripeRecord(g);
        boolean took = locks.beginOperation(rec, -1, locks.timeoutNanos());
        try {
            repair(seg, g);
            int found = probe(seg, home, meta, key, Journal.NONE);
            if (found < -1) throw badMeta(seg, g, found, Journal.NONE);
            int action = update.decide(found < 0 ? null : data.asSlice(layout.slot(seg, found) + valueOffset, valueSize), into);
            switch (action) {
                case Update.WRITE, Update.ADD -> {
                    int slot = found >= 0 ? overwrite(seg, g, found, into) : insert(seg, g, home, meta, key, into);
                    changes.record(g * slots + slot, action == Update.ADD ? ChangeLog.KIND_ATOMIC : ChangeLog.KIND_WRITE, key);
                }
                case Update.REMOVE -> {
                    if (found >= 0) {
                        delete(seg, g, found);
                        changes.record(g * slots + found, ChangeLog.KIND_REMOVE, key);
                    }
                }
                default -> { }
            }
            return found >= 0;
        } finally {
            locks.endOperation(rec, took);
        }
    }

    @Override
    public int stripeOf(MemorySegment key) {
        return KeyHash.segment(KeyHash.of(key, 0, keySize, seed), segments);
    }

    /** Undoes a dead writer's open window and sweeps its tombstones; the caller holds the segment's lock. */
    private void repair(long seg, int g) {
        if (windows.isOpen(seg)) windows.rollBack(seg, g);
        if (data.get(Layouts.INT, seg + TOMBSTONES) != 0) sweepTombstones(seg, g);
    }

    private int overwrite(long seg, int g, int slot, MemorySegment value) {
        long at = layout.slot(seg, slot);
        windows.open(seg, g, slot, data.get(Layouts.INT, at + META), -1, 0, true);
        copyValue(value, 0, at + valueOffset);
        windows.close(seg);
        return slot;
    }

    private int insert(long seg, int g, int home, int meta, MemorySegment key, MemorySegment value) {
        long hint = (long) LONG.getOpaque(data, HashLayout.ENTRIES_HINT);
        // a hint below zero is one no writer leaves (a dead one leaves it off by one): count, as near the capacity
        if (hint < 0 || hint >= layout.capacity - NEAR_FULL || ++insertsSinceRecount >= RECOUNT_EVERY) {
            insertsSinceRecount = 0;
            long total = size();
            // the sum races with writers of other segments only by their windows in flight; correct a drifted hint
            if (hint < 0 || Math.abs(total - hint) > 4) LONG.compareAndSet(data, HashLayout.ENTRIES_HINT, hint, total);
            if (total >= layout.capacity) {
                throw new MapFullException("map '" + mapName + "' is full: it holds " + total + " entries, its capacity"
                        + " is " + layout.capacity + "; remove keys or create the map with a larger capacity");
            }
        }
        int free = home;
        int n = 0;
        for (; n < slots; n++) {
            int m = data.get(Layouts.INT, layout.slot(seg, free) + META);
            if (m == EMPTY || m == TOMBSTONE) break;
            if (++free == slots) free = 0;
        }
        if (n == slots) {
            throw new MapFullException("map '" + mapName + "' is full: segment " + g + " has no free slot among its "
                    + slots + " (the map holds " + size() + " of its " + layout.capacity + " entries, but its keys"
                    + " crowd into this segment); create the map with a larger capacity");
        }
        long at = layout.slot(seg, free);
        int old = data.get(Layouts.INT, at + META);
        windows.open(seg, g, free, old, -1, 0, false);
        MemorySegment.copy(key, 0, data, at + KEY, keySize);
        copyValue(value, 0, at + valueOffset);
        data.set(Layouts.INT, at + HOME, home);
        data.set(Layouts.INT, at + META, meta);
        windows.setCount(g, liveCount(g) + 1);
        if (old == TOMBSTONE) addTombstones(seg, -1);
        windows.close(seg);
        LONG.getAndAdd(data, HashLayout.ENTRIES_HINT, 1L);
        return free;
    }

    /** Copies a value into a slot; with the test hook on, it pauses half-way. */
    private void copyValue(MemorySegment from, long fromOffset, long to) {
        if (TestHooks.ENABLED) {
            int half = valueSize / 2;
            MemorySegment.copy(from, fromOffset, data, to, half);
            TestHooks.hashMidWindow();
            MemorySegment.copy(from, fromOffset + half, data, to + half, valueSize - half);
        } else {
            MemorySegment.copy(from, fromOffset, data, to, valueSize);
        }
    }

    /** Deletes the key in {@code slot}: a tombstone, then backward shifts until the cluster ends. */
    private void delete(long seg, int g, int slot) {
        long at = layout.slot(seg, slot);
        windows.open(seg, g, slot, data.get(Layouts.INT, at + META), -1, 0, false);
        data.set(Layouts.INT, at + META, TOMBSTONE);
        if (TestHooks.ENABLED) TestHooks.hashMidWindow();
        windows.setCount(g, liveCount(g) - 1);
        addTombstones(seg, 1);
        windows.close(seg);
        LONG.getAndAdd(data, HashLayout.ENTRIES_HINT, -1L);
        shiftFrom(seg, g, slot);
    }

    /**
     * Fills the tombstone at {@code hole} with the next key of its cluster that may live there (its home is at or
     * before the hole), moving the hole to where that key was, until the cluster ends; then empties the hole.
     *
     * @return false when the segment has no empty slot, so the tombstone stays (lookups stay correct)
     */
    private boolean shiftFrom(long seg, int g, int hole) {
        int j = hole;
        for (int n = 1; n < slots; n++) {
            if (++j == slots) j = 0;
            long at = layout.slot(seg, j);
            int m = data.get(Layouts.INT, at + META);
            if (m == EMPTY) {
                windows.open(seg, g, hole, TOMBSTONE, -1, 0, false);
                data.set(Layouts.INT, layout.slot(seg, hole) + META, EMPTY);
                if (TestHooks.ENABLED) TestHooks.hashMidWindow();
                addTombstones(seg, -1);
                windows.close(seg);
                return true;
            }
            if (m == TOMBSTONE) continue;
            int home = movedHome(g, j, m, at);
            if (distance(home, hole) < distance(home, j)) {
                long to = layout.slot(seg, hole);
                windows.open(seg, g, hole, TOMBSTONE, j, m, false);
                MemorySegment.copy(data, at + KEY, data, to + KEY, keySize);
                copyValue(data, at + valueOffset, to + valueOffset);
                data.set(Layouts.INT, to + HOME, home);
                data.set(Layouts.INT, to + META, m);
                data.set(Layouts.INT, at + META, TOMBSTONE);
                windows.close(seg);
                hole = j;
                n = 0;
            }
        }
        return false;
    }

    /** Clears the tombstones a cut-short delete (or clear) left, so that lookups do not pay for them. */
    private void sweepTombstones(long seg, int g) {
        // != 0, not > 0: a count no writer leaves (above the slots, or negative as an int) ends set right below
        while (data.get(Layouts.INT, seg + TOMBSTONES) != 0) {
            int t = -1;
            for (int i = 0; i < slots && t < 0; i++) {
                if (data.get(Layouts.INT, layout.slot(seg, i) + META) == TOMBSTONE) t = i;
            }
            if (t < 0) {
                // the count disagrees with the slots (it cannot, unless the file was changed by hand): trust the slots
                windows.open(seg, g, -1, 0, -1, 0, false);
                data.set(Layouts.INT, seg + TOMBSTONES, 0);
                windows.close(seg);
                return;
            }
            if (!anyKey(seg)) {
                // no key left in the segment, so no probe can need the tombstone (the slots say so, not the count,
                // which only writers that follow the format keep right)
                windows.open(seg, g, t, TOMBSTONE, -1, 0, false);
                data.set(Layouts.INT, layout.slot(seg, t) + META, EMPTY);
                addTombstones(seg, -1);
                windows.close(seg);
            } else if (!shiftFrom(seg, g, t)) {
                return;
            }
        }
    }

    /** True if a slot of the segment at {@code seg} holds a key. */
    private boolean anyKey(long seg) {
        for (int i = 0; i < slots; i++) {
            int m = data.get(Layouts.INT, layout.slot(seg, i) + META);
            if (m != EMPTY && m != TOMBSTONE) return true;
        }
        return false;
    }

    private void addTombstones(long seg, int delta) {
        data.set(Layouts.INT, seg + TOMBSTONES, data.get(Layouts.INT, seg + TOMBSTONES) + delta);
    }

    private int distance(int from, int to) {
        int d = to - from;
        return d < 0 ? d + slots : d;
    }

    // ------------------------------------------------------------------------------------------- whole map

    @Override
    public long size() {
        long total = 0;
        // counts are u32; an unsigned widening also keeps the JIT from fusing the load into a sign-extending one,
        // which the JVM cannot step over when the page faults (see Pages)
        for (int g = 0; g < segments; g++) {
            long count = Integer.toUnsignedLong((int) INT.getOpaque(data, HashLayout.count(g)));
            if (count > slots) throw countCorrupt(g, count);
            total += count;
        }
        return total;
    }

    /** Segment {@code g}'s live count, which its lock's holder is about to change. */
    private int liveCount(int g) {
        int count = windows.count(g);
        if (Integer.compareUnsigned(count, slots) > 0) throw countCorrupt(g, Integer.toUnsignedLong(count));
        return count;
    }

    private CorruptMapException countCorrupt(int g, long count) {
        return new CorruptMapException("map '" + mapName + "' is corrupt: segment " + g + " counts " + count
                + " live entries, more than its " + slots + " slots");
    }

    /**
     * The home of the key in slot {@code i} of segment {@code g} whose meta is {@code meta}, checked where a writer or
     * the statistics read it anyway: a slot the segment has, and a meta some slot has.
     */
    private int checkedHome(int g, int i, int meta, int home) {
        if (!Journal.isMeta(meta)) throw corruptMeta(g, i, meta);
        if (home < 0 || home >= slots) {
            throw new CorruptMapException("map '" + mapName + "' is corrupt: the key in slot " + i + " of segment " + g
                    + " has its home at slot " + home + ", and the segment has slots 0.." + (slots - 1));
        }
        return home;
    }

    private CorruptMapException corruptMeta(int g, int i, int meta) {
        return new CorruptMapException("map '" + mapName + "' is corrupt: slot " + i + " of segment " + g + " has meta "
                + meta + ", which no slot has");
    }

    /**
     * The home of the key in slot {@code i} (at {@code at}) of segment {@code g}, which a delete is about to move: as
     * its hash gives it, checked against the slot's meta and home words. A key moved by a wrong home would land
     * before its home, where no probe finds it.
     */
    private int movedHome(int g, int i, int meta, long at) {
        if (!Journal.isMeta(meta)) throw corruptMeta(g, i, meta);
        long h = KeyHash.of(data, at + KEY, keySize, seed);
        int home = KeyHash.home(h, slots), stored = data.get(Layouts.INT, at + HOME);
        if (stored != home) {
            throw new CorruptMapException("map '" + mapName + "' is corrupt: the key in slot " + i + " of segment " + g
                    + " has its home at slot " + stored + ", and its hash puts it at slot " + home);
        }
        if (meta != KeyHash.occupiedMeta(h)) {
            throw new CorruptMapException("map '" + mapName + "' is corrupt: the key in slot " + i + " of segment " + g
                    + " has meta " + meta + ", and its hash gives meta " + KeyHash.occupiedMeta(h));
        }
        return home;
    }

    @Override
    public void clear() {
        MemorySegment key = MemorySegment.ofArray(new byte[keySize]);
        for (int g = 0; g < segments; g++) {
            long seg = layout.segment(g);
            long rec = locks.stripeRecord(g);
            boolean took = locks.beginOperation(rec, -1, locks.timeoutNanos());
            try {
                repair(seg, g);
                for (int i = 0; i < slots; i++) {
                    long at = layout.slot(seg, i);
                    int m = data.get(Layouts.INT, at + META);
                    if (m == EMPTY || m == TOMBSTONE) continue;
                    if (!Journal.isMeta(m)) throw corruptMeta(g, i, m);
                    MemorySegment.copy(data, at + KEY, key, 0, keySize);
                    windows.open(seg, g, i, m, -1, 0, false);
                    data.set(Layouts.INT, at + META, TOMBSTONE);
                    windows.setCount(g, liveCount(g) - 1);
                    addTombstones(seg, 1);
                    windows.close(seg);
                    LONG.getAndAdd(data, HashLayout.ENTRIES_HINT, -1L);
                    changes.record(g * slots + i, ChangeLog.KIND_REMOVE, key);
                }
                sweepTombstones(seg, g);
            } finally {
                locks.endOperation(rec, took);
            }
        }
    }

    /**
     * The entries, segment by segment: each segment is copied whole at one moment (between two reads of its
     * sequence, through the journal of a window open at that moment), so a key appears at most once, and a key that
     * stays in the map during the whole iteration appears exactly once. Segments are copied at different moments.
     */
    @Override
    public Entries entries() {
        return new Entries() {
            private final byte[] copy = new byte[(int) layout.segmentSize];
            private final MemorySegment view = MemorySegment.ofArray(copy);
            private int g = -1;
            private int i = slots;

            @Override
            public boolean next(MemorySegment keyOut, MemorySegment valueOut) {
                while (true) {
                    while (i < slots) {
                        long at = layout.slot(0, i++);
                        int m = view.get(Layouts.INT, at + META);
                        if (m == EMPTY || m == TOMBSTONE) continue;
                        if (!Journal.isMeta(m)) throw corruptMeta(g, i - 1, m);
                        MemorySegment.copy(view, at + KEY, keyOut, 0, keySize);
                        MemorySegment.copy(view, at + valueOffset, valueOut, 0, valueSize);
                        return true;
                    }
                    if (++g >= segments) return false;
                    snapshot(g, view);
                    i = 0;
                }
            }
        };
    }

    /** Copies segment {@code g} into {@code into} as one moment had it, with an open window's changes undone. */
    private void snapshot(int g, MemorySegment into) {
        long seg = layout.segment(g);
        long start = 0;
        for (int attempt = 0; ; attempt++) {
            int s1 = (int) INT.getAcquire(data, seg + SEQ);
            MemorySegment.copy(data, seg, into, 0, layout.segmentSize);
            VarHandle.loadLoadFence();
            if ((int) INT.get(data, seg + SEQ) == s1) {
                if ((s1 & 1) == 0) return;
                // the copy holds the journal too: undo the window in the copy, as a reader would see through it; the
                // copy was made between two equal loads of the sequence, so a journal that is not this window's is
                // one no writer is rewriting: corrupt
                Journal j = Journal.read(into, 0);
                String problem = j.problem(s1, slots);
                if (problem != null) throw windows.corrupt(g, s1, problem);
                if (j.a() >= 0) {
                    if (j.image()) MemorySegment.copy(into, HashLayout.IMAGE, into, layout.slot(0, j.a()) + valueOffset, valueSize);
                    into.set(Layouts.INT, layout.slot(0, j.a()) + META, j.aMeta());
                }
                if (j.b() >= 0) into.set(Layouts.INT, layout.slot(0, j.b()) + META, j.bMeta());
                return;
            }
            start = backOff(attempt, start, g);
        }
    }

    @Override
    public HashStats stats() {
        MemorySegment view = MemorySegment.ofArray(new byte[(int) layout.segmentSize]);
        long entries = 0, tombstones = 0;
        int longest = 0;
        for (int g = 0; g < segments; g++) {
            snapshot(g, view);
            for (int i = 0; i < slots; i++) {
                long at = layout.slot(0, i);
                int m = view.get(Layouts.INT, at + META);
                if (m == TOMBSTONE) tombstones++;
                if (m == EMPTY || m == TOMBSTONE) continue;
                entries++;
                longest = Math.max(longest, distance(checkedHome(g, i, m, view.get(Layouts.INT, at + HOME)), i) + 1);
            }
        }
        return new HashStats(entries, layout.capacity, segments, layout.slots(), longest, tombstones);
    }

    /**
     * Checks every invariant of the table (for tests): each key is in its own segment at or after its home with no
     * empty slot between, appears once, and carries its hash's tag; counts and tombstone counts match the slots; no
     * window is open.
     *
     * @return the problems found, one per line; empty when the table is sound
     */
    public String verify() {
        List<String> problems = new ArrayList<>();
        MemorySegment view = MemorySegment.ofArray(new byte[(int) layout.segmentSize]);
        for (int g = 0; g < segments; g++) {
            long seg = layout.segment(g);
            if (windows.isOpen(seg)) problems.add("segment " + g + ": a write window is open");
            snapshot(g, view);
            int occupied = 0, tombstones = 0;
            Set<String> keys = new HashSet<>();
            for (int i = 0; i < slots; i++) {
                long at = layout.slot(0, i);
                int m = view.get(Layouts.INT, at + META);
                if (m == TOMBSTONE) tombstones++;
                if (m == EMPTY || m == TOMBSTONE) continue;
                occupied++;
                String k = HexFormat.of().formatHex(view.asSlice(at + KEY, keySize).toArray(Layouts.BYTE));
                if (!keys.add(k)) problems.add("segment " + g + " slot " + i + ": key " + k + " appears twice");
                long h = KeyHash.of(view, at + KEY, keySize, seed);
                int home = view.get(Layouts.INT, at + HOME);
                if (KeyHash.segment(h, segments) != g) problems.add("segment " + g + " slot " + i + ": key " + k + " belongs to another segment");
                if (KeyHash.home(h, slots) != home) problems.add("segment " + g + " slot " + i + ": wrong home " + home);
                if (KeyHash.occupiedMeta(h) != m) problems.add("segment " + g + " slot " + i + ": wrong tag");
                for (int p = home; p != i; p = p + 1 == slots ? 0 : p + 1) {
                    if (view.get(Layouts.INT, layout.slot(0, p) + META) == EMPTY) {
                        problems.add("segment " + g + " slot " + i + ": key " + k + " is unreachable (slot " + p + " is empty)");
                        break;
                    }
                }
            }
            int count = windows.count(g);
            if (count != occupied) problems.add("segment " + g + ": count " + count + ", but " + occupied + " slots are occupied");
            int recorded = data.get(Layouts.INT, seg + TOMBSTONES);
            if (recorded != tombstones) problems.add("segment " + g + ": " + recorded + " tombstones recorded, " + tombstones + " found");
        }
        return String.join("\n", problems);
    }
}
