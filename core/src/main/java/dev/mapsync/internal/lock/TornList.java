package dev.mapsync.internal.lock;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static dev.mapsync.internal.sys.Words.INT;

/**
 * The torn list of a lock record (see {@link LockRecord}): the entries of the stripe that writers left
 * half-written when they died. It is kept packed from its first slot, so a first slot of 0 means nothing in the
 * stripe is torn, and it changes only inside a write's odd window (or during a takeover, while the sequence is
 * still odd), so a reader that finds the sequence unchanged also read an unchanged list. {@code ALL_TORN} marks the
 * whole stripe only in the first slot; in another, where no writer puts it, it names nothing and counts as free.
 */
public final class TornList {
    private TornList() {}

    /** True if entry {@code index} (or the whole stripe) is marked torn. */
    public static boolean contains(MemorySegment control, long rec, int index) {
        int first = (int) INT.getAcquire(control, rec + LockRecord.TORN);
        if (first == LockRecord.ALL_TORN) return true;
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            if ((int) INT.getAcquire(control, rec + LockRecord.TORN + 4L * i) == index + 1) return true;
        }
        return false;
    }

    /** Marks the entry {@code entryPlusOne - 1} torn, in the first free slot. */
    static void mark(MemorySegment control, long rec, int entryPlusOne) {
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            long o = rec + LockRecord.TORN + 4L * i;
            int v = (int) INT.get(control, o);
            if (v == entryPlusOne || v == LockRecord.ALL_TORN && i == 0) return;
            if (v == 0 || v == LockRecord.ALL_TORN) {
                INT.setRelease(control, o, entryPlusOne);
                return;
            }
        }
        // more torn entries than slots: the whole stripe counts as torn until a lock owner declares it repaired
        markAll(control, rec);
    }

    /** Marks every entry of the stripe torn, until a lock owner declares it repaired. */
    static void markAll(MemorySegment control, long rec) {
        INT.setRelease(control, rec + LockRecord.TORN, LockRecord.ALL_TORN);
    }

    /**
     * Removes entry {@code index} from the torn list, keeping the list packed from its first slot (so that a zero
     * first slot means no entry is torn). Called inside a write's odd window.
     *
     * @return true if the entry was in the list (it is whole again)
     */
    public static boolean remove(MemorySegment control, long rec, int index) {
        int[] kept = new int[LockRecord.TORN_SLOTS];
        int n = 0;
        boolean found = false;
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            int v = (int) INT.get(control, rec + LockRecord.TORN + 4L * i);
            if (v == LockRecord.ALL_TORN && i == 0) return false; // the whole stripe stays torn until declareRepaired
            if (v == index + 1) found = true;
            else if (v != 0 && v != LockRecord.ALL_TORN) kept[n++] = v;
        }
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) INT.set(control, rec + LockRecord.TORN + 4L * i, kept[i]);
        return found;
    }

    /** The torn entries of the stripe, or [-1] when the whole stripe is marked. */
    static List<Integer> entries(MemorySegment control, long rec) {
        List<Integer> torn = new ArrayList<>();
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) {
            int v = (int) INT.get(control, rec + LockRecord.TORN + 4L * i);
            if (v == LockRecord.ALL_TORN && i == 0) return List.of(-1);
            if (v != 0 && v != LockRecord.ALL_TORN) torn.add(v - 1);
        }
        return torn;
    }

    /** True when more than four entries were torn, which marks the whole stripe. */
    public static boolean wholeStripe(MemorySegment control, long rec) {
        return (int) INT.get(control, rec + LockRecord.TORN) == LockRecord.ALL_TORN;
    }

    /** Clears the list: the stripe's lock owner declared every entry whole. */
    public static void clear(MemorySegment control, long rec) {
        for (int i = 0; i < LockRecord.TORN_SLOTS; i++) INT.set(control, rec + LockRecord.TORN + 4L * i, 0);
    }
}
