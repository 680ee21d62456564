package dev.mapsync.cli.chaos;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LongSlots;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.util.concurrent.locks.LockSupport;

/**
 * The soak's control words: an i64 array on shm that the coordinator and every worker process share. The
 * coordinator runs and pauses rounds through it, asks workers to stall, and reads their progress; workers record
 * there what they acknowledged (an operation counts as done once its acknowledgement is stored, after the
 * operation returned) and what they were about to do (their intent), which a kill leaves behind for the checks.
 *
 * <pre>
 * word                      content
 * 0 STATE                   2r+1: round r runs; 2r+2: paused after round r (0 rounds: start-up); -1: stop
 * 1 NEXT_TX                 the last transfer id handed out
 * 2 STOP_GEN                barrier: round &lt;&lt; 32 | the generation after which the parties pause
 * 3 RESETS                  barrier: odd while the lead party resets it, +2 per reset
 * 4 HOLD                    barrier: generation + 1 whose long phase the parties keep working in (see Phases)
 * 64 + 16 * slot + w        worker slot words (w below); slot {@code slots()} is the lead party's
 * RECORD_ACKS + e           record writers: the version of entry e last acknowledged
 * HASH_ACKS + 256 * slot + i  hash writers: key i of the slot: +v put with version v, -v removed at version v
 * </pre>
 */
final class Control implements AutoCloseable {
    static final int STATE = 0, NEXT_TX = 1, STOP_GEN = 2, RESETS = 3, HOLD = 4;
    static final long STOP = -1;

    private static final int SLOT_BASE = 64, SLOT_WORDS = 16;
    /** The slots of every kind at the most processes, and the lead party's. */
    static final int MAX_SLOTS = Kind.values().length * Setup.MAX_PROCESSES + 1;
    /** Slot words. */
    static final int OPS = 0, READY = 1, PAUSED = 2, STALL = 3, STALLED = 4, INTENT = 5, ACK = 6, LONGEST_OP = 7,
            VIOLATIONS = 8, TAKEOVERS = 9, REPAIRS = 10, BROKEN_AT = 11, ARRIVING = 12, RESOLVED = 13;
    static final int RECORD_ACKS = SLOT_BASE + MAX_SLOTS * SLOT_WORDS;
    static final int HASH_ACKS = RECORD_ACKS + Stamp.ENTRIES;
    static final int SIZE = HASH_ACKS + MAX_SLOTS * Cell.KEYS;

    private final SharedArray<Long> map;
    private final LongSlots words;

    private Control(SharedArray<Long> map) {
        this.map = map;
        this.words = map.longs();
    }

    static ArraySpec<Long> spec(Setup setup) {
        return MapSpec.array(setup.name("control"), Codec.i64(), SIZE).backend(Backend.SHM).dir(setup.dir());
    }

    static Control create(Setup setup) {
        Control c = new Control(SharedArray.create(spec(setup)));
        c.set(STATE, paused(0));
        return c;
    }

    static Control open(Setup setup) {
        return new Control(SharedArray.open(spec(setup)));
    }

    // ------------------------------------------------------------------------------------------ the state word

    static long running(int round) {
        return 2L * round + 1;
    }

    static long paused(int round) {
        return 2L * round + 2;
    }

    static boolean isRunning(long state) {
        return state > 0 && (state & 1) == 1;
    }

    static boolean isPaused(long state) {
        return state > 0 && (state & 1) == 0;
    }

    /** The round a state belongs to (the round that runs, or the last one before a pause). */
    static int round(long state) {
        return (int) ((state - 1) / 2);
    }

    long state() {
        return words.getAcquire(STATE);
    }

    // ---------------------------------------------------------------------------------------------- words

    long get(int word) {
        return words.getAcquire(word);
    }

    void set(int word, long value) {
        words.setRelease(word, value);
    }

    long add(int word, long delta) {
        return words.getAndAdd(word, delta) + delta;
    }

    long getAndSet(int word, long value) {
        return words.getAndSet(word, value);
    }

    static int slotWord(int slot, int word) {
        return SLOT_BASE + slot * SLOT_WORDS + word;
    }

    long slot(int slot, int word) {
        return get(slotWord(slot, word));
    }

    void setSlot(int slot, int word, long value) {
        set(slotWord(slot, word), value);
    }

    void addSlot(int slot, int word, long delta) {
        add(slotWord(slot, word), delta);
    }

    /** A new transfer id, never handed out before in this soak. */
    long nextTx() {
        return add(NEXT_TX, 1);
    }

    // ---------------------------------------------------------------------------------------- worker side

    /**
     * Waits while the soak is paused, saying so in the slot's PAUSED word; true when a round runs, false when the
     * soak stops.
     */
    boolean awaitRunning(int slot) {
        while (true) {
            long s = state();
            if (s == STOP) return false;
            if (isRunning(s)) return true;
            if (slot(slot, PAUSED) != s) setSlot(slot, PAUSED, s);
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** Counts an operation and its duration. */
    void operationDone(int slot, long nanos) {
        addSlot(slot, OPS, 1);
        int w = slotWord(slot, LONGEST_OP);
        if (nanos > words.getOpaque(w)) words.setRelease(w, nanos);
    }

    /** True once, if the coordinator asked this slot to stall inside its next operation. */
    boolean takeStall(int slot) {
        return words.getAndSet(slotWord(slot, STALL), 0) != 0;
    }

    /**
     * Stops here, inside an operation, until the coordinator kills this process (it kills a slot whose STALLED word
     * is set). Ends the process if the soak stops instead.
     */
    void stallUntilKilled(int slot) {
        setSlot(slot, STALLED, 1);
        while (state() != STOP) LockSupport.parkNanos(5_000_000);
        Runtime.getRuntime().halt(0);
    }

    /** Reports a broken invariant that this worker found: counted in its slot and described in its log. */
    void violation(int slot, String what) {
        addSlot(slot, VIOLATIONS, 1);
        System.out.println("VIOLATION: " + what);
        System.out.flush();
    }

    @Override
    public void close() {
        map.close();
    }

    /** Deletes the map (coordinator, at the end). */
    void delete(Setup setup) {
        map.close();
        dev.mapsync.SharedMaps.delete(spec(setup).location());
    }
}
