package dev.mapsync.internal.lock;

import dev.mapsync.MapSyncException;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Proc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * Who has a map open, and whether they still live, without trusting pids.
 *
 * <p>Every read-write handle claims one of {@value ControlLayout#SLOT_COUNT} slots by taking an
 * open-file-description write lock ({@code F_OFD_SETLK}) on one byte of the map's liveness file
 * ({@code <map file>.live}), at {@link #OFD_BASE}{@code + slot}. The kernel drops that lock when the last
 * descriptor of the handle closes, which happens when the process dies however it dies. A probe
 * ({@code F_OFD_GETLK}) therefore tells from any process, in any pid namespace, whether a slot's holder is still
 * there; a recycled pid cannot fool it. A slot's generation changes at every claim, so a lock owned by a dead handle
 * is not mistaken for one owned by the next handle in that slot. The locks are in a file of their own because only
 * the map's writers may open it: on the map file, anyone who may read the map could take read locks on every slot's
 * byte and so make every claim fail.
 *
 * <p>A handle that may not open the liveness file (a reader of a map it may not write) has no descriptor to probe
 * with ({@code -1}); it judges a holder from the slot record instead: in its own pid namespace, alive while a process
 * with the recorded pid and start time exists; in another, alive (it cannot tell).
 *
 * <p>Slot record (32 bytes, at control offset {@value ControlLayout#SLOTS} + 32 * slot):
 * <pre>
 * offset size field
 *      0    4 generation (incremented at every claim; its low 20 bits are never 0)
 *      4    4 pid of the holder, in the holder's pid namespace (for messages)
 *      8    8 holder's start time, clock ticks since boot
 *     16    8 holder's pid namespace inode
 *     24    8 claimed at, milliseconds since the epoch
 * </pre>
 * A lock owner is named in a lock word by a 30-bit token: {@code (generation & 0xFFFFF) << 10 | slot}.
 */
public final class ProcessSlots {
    private ProcessSlots() {}

    /** The first byte offset of the per-slot OFD locks in the liveness file (1 TiB, as in layout version 1). */
    public static final long OFD_BASE = 1L << 40;
    static final int SLOT_BITS = 10;
    static final int SLOT_MASK = (1 << SLOT_BITS) - 1;
    static final int GEN_MASK = 0xFFFFF;


    private static long slotOffset(int slot) {
        return ControlLayout.SLOTS + slot * ControlLayout.SLOT_SIZE;
    }

    /**
     * Claims a free slot for a read-write handle whose liveness file descriptor is {@code fd}.
     *
     * @return the handle's owner token
     * @throws MapSyncException if every slot is taken
     */
    public static int claim(MemorySegment control, int fd, String mapName) {
        int first = Math.floorMod(Proc.PID * 31 + System.identityHashCode(control), ControlLayout.SLOT_COUNT);
        for (int i = 0; i < ControlLayout.SLOT_COUNT; i++) {
            int slot = (first + i) % ControlLayout.SLOT_COUNT;
            if (!LibC.ofdLock(fd, LibC.F_OFD_SETLK, LibC.F_WRLCK, OFD_BASE + slot)) continue;
            long o = slotOffset(slot);
            int generation;
            do {
                generation = (int) INT.getAndAdd(control, o, 1) + 1;
            } while ((generation & GEN_MASK) == 0);
            LONG.set(control, o + 8, Proc.START_TIME);
            LONG.set(control, o + 16, Proc.PID_NAMESPACE);
            LONG.set(control, o + 24, System.currentTimeMillis());
            INT.setRelease(control, o + 4, Proc.PID);
            return token(slot, generation);
        }
        throw new MapSyncException("map '" + mapName + "' already has " + ControlLayout.SLOT_COUNT
                + " read-write handles open, in this process or others that live: every handle holds a slot until it is"
                + " closed, and one that is not closed keeps it until its process ends (in Java, until the garbage"
                + " collector finds it unreachable); close handles when done with them");
    }

    static int token(int slot, int generation) {
        return (generation & GEN_MASK) << SLOT_BITS | slot;
    }

    /**
     * True if {@code word} is a token some handle could have: 30 bits, and a generation that is not 0 (a claim skips
     * generations whose low 20 bits are 0). A word that is not is no owner of anything.
     */
    public static boolean isToken(int word) {
        return (word & ~((1 << 30) - 1)) == 0 && (word >>> SLOT_BITS) != 0;
    }

    static int slotOf(int token) {
        return token & SLOT_MASK;
    }

    /**
     * True if the handle that {@code token} names is still open. {@code probeFd} is any descriptor of the liveness
     * file other than the token holder's own (an OFD lock never conflicts with its own description), or -1 to judge
     * from the slot record (see the class comment).
     */
    public static boolean isAlive(MemorySegment control, int probeFd, int token) {
        if (!isCurrent(control, token)) return false;
        if (probeFd < 0) return holder(control, token).aliveByRecord();
        // a read probe conflicts with the holder's write lock
        return !LibC.ofdLock(probeFd, LibC.F_OFD_GETLK, LibC.F_RDLCK, OFD_BASE + slotOf(token));
    }

    /**
     * True if no handle has claimed the slot of {@code token} since the one that {@code token} names: the slot record
     * then still describes that handle's process. (A claim bumps the generation, so a dead owner's token is not
     * current once a new handle, maybe of a process with the same pid and thread ids, sits in its slot.)
     */
    public static boolean isCurrent(MemorySegment control, int token) {
        int generation = (int) INT.getAcquire(control, slotOffset(slotOf(token)));
        return (generation & GEN_MASK) == (token >>> SLOT_BITS);
    }

    /** The slot a token names. */
    public static int slot(int token) {
        return slotOf(token);
    }

    /**
     * True if some open file description other than {@code probeFd}'s holds slot {@code slot}: someone (alive) has
     * the map open in that slot. Without a descriptor ({@code -1}) the answer is true: nothing is taken from a slot
     * whose holder cannot be shown gone.
     */
    public static boolean isHeld(int probeFd, int slot) {
        if (probeFd < 0) return true;
        return !LibC.ofdLock(probeFd, LibC.F_OFD_GETLK, LibC.F_RDLCK, OFD_BASE + slot);
    }

    /** What the slot of {@code token} says about its holder (the current holder, if the slot was claimed again). */
    public static Holder holder(MemorySegment control, int token) {
        long o = slotOffset(slotOf(token));
        return new Holder((int) INT.getAcquire(control, o + 4), (long) LONG.get(control, o + 8),
                (long) LONG.get(control, o + 16));
    }

    /**
     * The pid of the process whose handle {@code token} names (in its own pid namespace), or 0 when its slot was
     * claimed again since (the slot then names another process).
     */
    public static int pidOf(MemorySegment control, int token) {
        return isCurrent(control, token) ? holder(control, token).pid() : 0;
    }

    /** The process behind a slot. */
    public record Holder(int pid, long startTime, long pidNamespace) {
        /** True when the holder's pid means the same process here (same pid namespace). */
        public boolean sameNamespace() {
            return pidNamespace == Proc.PID_NAMESPACE;
        }

        /** A lock's holder as timeout messages name it: "pid 42 (alive)", "pid 7 in another pid namespace (dead)". */
        public String who(int pid, boolean alive) {
            return "pid " + pid + (sameNamespace() ? "" : " in another pid namespace") + (alive ? " (alive)" : " (dead)");
        }

        /**
         * Whether the holder lives, judged without its lock: in this pid namespace, a process with its pid and start
         * time exists (a recycled pid has another start time); in another namespace it cannot be told, so it is taken
         * for alive, which only makes a reader wait, never take over what a live holder owns.
         */
        public boolean aliveByRecord() {
            return !sameNamespace() || Proc.isAlive(pid, startTime);
        }
    }
}
