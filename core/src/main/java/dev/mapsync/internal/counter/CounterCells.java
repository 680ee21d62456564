package dev.mapsync.internal.counter;

import dev.mapsync.CounterCell;
import dev.mapsync.internal.lock.ProcessSlots;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.MapRegion;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * The cells of an open counter map. A read-write handle claims a process slot when it opens the map, marks the slot
 * used in the bitmap (once; a slot stays marked for ever), and from then on adds into that slot's block only: one
 * {@code lock xadd} on a cache line no other live process writes. A sum reads the bitmap, then each marked slot's
 * cell (the summary word says which words of the bitmap to read). A slot whose holder died keeps its cells, so they still count; the next handle to claim the slot goes on
 * adding into them.
 *
 * <p>A sum is not a snapshot: it sees every add that completed before it started, and some of the ones that run
 * while it reads (as {@link java.util.concurrent.atomic.LongAdder#sum()} does). No add is ever lost.
 */
public final class CounterCells {
    private final MemorySegment control;
    private final MemorySegment data;
    private final int count;
    private final long stride;
    /** The offset of this handle's block in the data region, or -1 for a read-only handle. */
    private final long own;
    private final int slot;

    public CounterCells(MapRegion region) {
        this.control = region.control();
        this.data = region.data();
        this.count = region.header().entries();
        this.stride = region.header().stride();
        if (region.readOnly()) {
            this.slot = -1;
            this.own = -1;
        } else {
            this.slot = ProcessSlots.slot(ProcessSlots.claim(control, region.lockFd(), region.name()));
            markUsed(slot);
            this.own = slot * stride;
        }
    }

    /** Sets the slot's bit in the bitmap, then its word's bit in the summary (readers look only where it points). */
    private void markUsed(int s) {
        long word = CounterLayout.USED + (s >>> 6) * 8L;
        long bit = 1L << (s & 63);
        if (((long) LONG.getVolatile(control, word) & bit) == 0) LONG.getAndBitwiseOr(control, word, bit);
        long summaryBit = 1L << (s >>> 6);
        if (((long) LONG.getVolatile(control, CounterLayout.SUMMARY) & summaryBit) == 0) {
            LONG.getAndBitwiseOr(control, CounterLayout.SUMMARY, summaryBit);
        }
    }

    /** The words of the bitmap that have a bit set (only the low 16 bits mean anything; others are ignored). */
    private long summary() {
        return (long) LONG.getAcquire(control, CounterLayout.SUMMARY) & ((1L << CounterLayout.USED_WORDS) - 1);
    }

    /** {@return the number of counters} */
    public int count() {
        return count;
    }

    /** {@return the process slot whose cells this handle adds into, or -1 for a read-only handle} */
    public int slot() {
        return slot;
    }

    /**
     * Adds {@code delta} to this handle's cell of counter {@code index} (in range: the caller checks it), atomically.
     *
     * @return the cell's value before
     */
    public long add(int index, long delta) {
        return (long) LONG.getAndAdd(data, own + index * 8L, delta);
    }

    /** The sum of counter {@code index}'s cells over every slot ever used. */
    public long sum(int index) {
        return overUsedSlots(index, (slot, offset) -> (long) LONG.getOpaque(data, offset));
    }

    /**
     * Takes counter {@code index}'s cells to 0 one by one, each with an atomic exchange, and returns what they held:
     * every add is counted once, either in what this returns or in later sums.
     */
    public long sumThenReset(int index) {
        return overUsedSlots(index, (slot, offset) -> (long) LONG.getAndSet(data, offset, 0L));
    }

    /** What {@link #overUsedSlots} does with one slot's cell. */
    private interface CellStep {
        /** @return what the cell adds to the total */
        long apply(int slot, long offset);
    }

    /**
     * Runs {@code step} on counter {@code index}'s cell of every slot ever used, in slot order (the summary word says
     * which bitmap words have bits, each word which slots), and adds up what it returns.
     */
    private long overUsedSlots(int index, CellStep step) {
        long total = 0;
        long cell = index * 8L;
        for (long words = summary(); words != 0; words &= words - 1) {
            int w = Long.numberOfTrailingZeros(words);
            long used = (long) LONG.getAcquire(control, CounterLayout.USED + w * 8L);
            while (used != 0) {
                int s = w * 64 + Long.numberOfTrailingZeros(used);
                used &= used - 1;
                total += step.apply(s, s * stride + cell);
            }
        }
        return total;
    }

    /** The cells of counter {@code index} of every slot ever used, by slot, with the pid of each slot's latest holder. */
    public List<CounterCell> cells(int index) {
        List<CounterCell> cells = new ArrayList<>();
        overUsedSlots(index, (slot, offset) -> {
            int pid = (int) INT.getAcquire(control, ControlLayout.SLOTS + slot * ControlLayout.SLOT_SIZE + 4);
            cells.add(new CounterCell(slot, pid, (long) LONG.getVolatile(data, offset)));
            return 0;
        });
        return cells;
    }

    /** The sum of every counter, by index, walking the used slots once (each slot's block holds all its cells). */
    public long[] sums() {
        long[] sums = new long[count];
        overUsedSlots(0, (slot, block) -> {
            for (int i = 0; i < count; i++) sums[i] += (long) LONG.getOpaque(data, block + i * 8L);
            return 0;
        });
        return sums;
    }
}
