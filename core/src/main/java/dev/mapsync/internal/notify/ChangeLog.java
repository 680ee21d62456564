package dev.mapsync.internal.notify;

import dev.mapsync.Change;
import dev.mapsync.CorruptMapException;
import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.Futex;
import dev.mapsync.internal.sys.Proc;
import dev.mapsync.internal.lock.ProcessSlots;
import dev.mapsync.internal.wait.Sleepers;
import dev.mapsync.internal.sys.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.locks.LockSupport;

import static dev.mapsync.internal.sys.Words.INT;
import static dev.mapsync.internal.sys.Words.LONG;

/**
 * A map's change log: an event count that sleepers wait on, and a bounded ring of the latest changes.
 *
 * <p>Event block (64 bytes at control offset {@value ControlLayout#EVENT_BLOCK}):
 * <pre>
 * offset size field
 *      0    8 head: the sequence number of the last change recorded (0 = none); its low 32 bits are the futex word
 *      8    4 waiters: processes' threads sleeping (or about to) on the head
 *     12    4 subscribers: open subscriptions; writers record changes only while there is one
 *     16    8 missed: changes subscribers were told they missed, summed over every subscription, for monitoring
 *     24   40 reserved
 * </pre>
 * Change entry (32 bytes), change {@code seq} at {@code changelog + ((seq - 1) % capacity) * 32}:
 * <pre>
 * offset size field
 *      0    8 seq: written last, with release; a reader that finds another number knows the entry was overwritten
 *      8    4 key
 *     12    4 writer's pid
 *     16    4 kind: 1 = write, 2 = atomic operation
 *     20   12 reserved
 * </pre>
 * A hash map's changes are named by key: beside the changelog, change {@code seq}'s key bytes live at
 * {@code changeKeys + ((seq - 1) % capacity) * keyStride}, written before the entry's seq is published and read
 * between two reads of it, like the other fields; the entry's key field then holds the slot the key was in.
 * Slot counters (8 bytes per process slot, after the changelog): subscriptions (low 4 bytes) and sleeping waiters
 * (high 4 bytes) of the slot's handle, so that the counts of a process that died can be taken back out of the
 * totals by whoever notices: a handle claiming a slot, or a new subscription, sweeps them.
 *
 * <p>Writers pay nothing but one load when no one subscribes. With subscribers, a writer reserves a sequence
 * number with one atomic add on the head, fills the entry, publishes its sequence, and calls {@code FUTEX_WAKE}
 * only when the waiter count says someone sleeps. A waiter registers in the count (an atomic add: a full fence),
 * re-checks the head, and only then sleeps; either the writer sees the waiter or the waiter sees the new head, so no
 * wakeup is lost.
 *
 * <p><b>A count no subscriptions give.</b> The subscriber count is a word any process with the map open can write,
 * so it may hold a value no set of subscriptions gives: wrapped (a peer left it at 0xFFFFFFFF, and the next
 * subscription made it 0), negative, or beyond {@link #MAX_SUBSCRIBERS}. Writers keep their one load and record
 * whenever it is not 0: a wrong count can only make them record for nobody. Subscribers check it instead: one that
 * subscribes or unsubscribes and finds an impossible result, and an open subscription that finds it below 1 before it
 * sleeps (it counts itself), set it to the subscriptions of the live slots' counters (with a compare-and-set from
 * what they saw, so a count set right meanwhile stays) and log that they did: a subscriber is never starved in
 * silence, and for no longer than until its next poll.
 */
public final class ChangeLog {
    public static final int KIND_WRITE = 1, KIND_ATOMIC = 2, KIND_REMOVE = 3;

    private static final long HEAD = ControlLayout.EVENT_BLOCK, WAITERS = HEAD + 8, SUBSCRIBERS = HEAD + 12,
            MISSED = HEAD + 16;
    private static final long E_SEQ = 0, E_KEY = 8, E_PID = 12, E_KIND = 16;
    private static final long PUBLISH_WAIT_NANOS = 1_000_000_000L;
    /**
     * Subscriber counts from here on are impossible: a million subscriptions for each of the 1024 slots, more than
     * any process holds. (Each slot's own count of subscriptions is trusted up to {@link #MAX_PER_SLOT}.)
     */
    static final int MAX_SUBSCRIBERS = ControlLayout.SLOT_COUNT << 20;
    private static final int MAX_PER_SLOT = 1 << 20;
    /** Compare-and-sets a repair of the subscriber count tries before it leaves the count to the next repair. */
    private static final int REPAIR_TRIES = 64;


    private final MemorySegment control;
    private final long headAddress;
    private final long entries;
    private final long mask;
    private final long slotCounters;
    private final int slot;
    private final int fd;
    private final String mapName;
    private final long changeKeys;
    private final int keyStride;

    /**
     * @param token the handle's owner token, or 0 for a read-only handle (which cannot subscribe)
     */
    public ChangeLog(MemorySegment control, Header header, int token, int fd, String mapName) {
        this.control = control;
        this.headAddress = control.address() + HEAD;
        ControlLayout layout = header.control();
        this.entries = layout.changelogOffset();
        this.mask = layout.changelogCapacity() - 1;
        this.slotCounters = layout.slotCountersOffset();
        this.slot = token == 0 ? -1 : ProcessSlots.slot(token);
        this.fd = fd;
        this.mapName = mapName;
        this.changeKeys = layout.changeKeysOffset();
        this.keyStride = layout.changeKeySize();
        if (slot >= 0) takeBackStaleCounts(slot);
    }

    /** The exception for a change log whose shared words say {@code problem}. */
    public CorruptMapException corrupt(String problem) {
        return new CorruptMapException("map '" + mapName + "' is corrupt: " + problem);
    }

    /** The name of the map, for messages and events. */
    public String mapName() {
        return mapName;
    }

    /** The capacity of the log. */
    public long capacity() {
        return mask + 1;
    }

    // ------------------------------------------------------------------------------------------------ writers

    /** Records that entry {@code key} changed, if anyone subscribes. The caller has made the change visible. */
    public void record(int key, int kind) {
        if ((int) INT.getOpaque(control, SUBSCRIBERS) != 0) append(key, kind);
    }

    /**
     * Records that the entry holding {@code keyBytes} (a hash map's key, at {@code slot}) changed, if anyone
     * subscribes. The caller has made the change visible.
     */
    public void record(int slot, int kind, MemorySegment keyBytes) {
        if ((int) INT.getOpaque(control, SUBSCRIBERS) != 0) append(slot, kind, keyBytes);
    }

    /**
     * The subscriber count's word, for the writers on the hottest paths (slot stores and atomics), which keep it in a
     * field of their own and check it with {@link #anySubscriber} before {@link #append}: one dependent load fewer
     * than {@link #record}.
     */
    public MemorySegment subscriberWord() {
        return control.asSlice(SUBSCRIBERS, 4);
    }

    /** True if the count at {@code subscriberWord} ({@link #subscriberWord()}) says anyone subscribes. */
    public static boolean anySubscriber(MemorySegment subscriberWord) {
        return (int) INT.getOpaque(subscriberWord, 0L) != 0;
    }

    /** Records that entry {@code key} changed; the caller has seen {@link #anySubscriber} and made the change visible. */
    public void append(int key, int kind) {
        append(key, kind, null);
    }

    private void append(int key, int kind, MemorySegment keyBytes) {
        long seq = (long) LONG.getAndAdd(control, HEAD, 1L) + 1;
        long e = entry(seq);
        if (keyBytes != null && keyStride > 0) {
            MemorySegment.copy(keyBytes, 0, control, changeKey(seq), Math.min(keyBytes.byteSize(), keyStride));
        }
        INT.set(control, e + E_KEY, key);
        INT.set(control, e + E_PID, Proc.PID);
        INT.set(control, e + E_KIND, kind);
        LONG.setRelease(control, e + E_SEQ, seq);
        if ((int) INT.getVolatile(control, WAITERS) != 0) Futex.wake(headAddress, Integer.MAX_VALUE);
    }

    private long entry(long seq) {
        return entries + ((seq - 1) & mask) * ControlLayout.CHANGELOG_ENTRY_SIZE;
    }

    private long changeKey(long seq) {
        return changeKeys + ((seq - 1) & mask) * keyStride;
    }

    // -------------------------------------------------------------------------------------------- subscribers

    /** The sequence number of the last recorded change. */
    public long head() {
        return (long) LONG.getVolatile(control, HEAD);
    }

    /**
     * Registers a subscription; changes recorded after this returns are kept for it.
     *
     * @return the sequence number of the first change the subscription will see
     */
    public long subscribe() {
        if (slot < 0) {
            throw new MapAccessDeniedException("map '" + mapName + "' is open read-only; subscribing registers in the"
                    + " map, so open it read-write, or use a polling watcher");
        }
        sweepDeadSlots();
        LONG.getAndAdd(control, slotCounters + slot * ControlLayout.SLOT_COUNTERS_SIZE, 1L);
        int n = (int) INT.getAndAdd(control, SUBSCRIBERS, 1) + 1;
        if (n < 1 || n >= MAX_SUBSCRIBERS) repairSubscribers(1); // it wrapped (a count of 0 would starve this one)
        try {
            return afterHead();
        } catch (CorruptMapException e) {
            unsubscribe();
            throw e;
        }
    }

    /**
     * One past the head, which a new subscription starts from: checked, since a head that a peer moved back would
     * hand out changes published long ago as new ones. A writer moves the head before it publishes the change, so no
     * change lies published past the head, and the head is never below 0.
     *
     * @throws CorruptMapException if the head is below 0, or a change is published past it
     */
    private long afterHead() {
        for (int tries = 0; tries < Words.CAS_TRIES; tries++) {
            long head = head();
            if (head < 0) throw corrupt("its change log's head is " + head);
            if (!filled(head + 1)) return head + 1;
            // a writer may have reserved and published the next change since the head was read: only a head that
            // stayed put is behind
            if (head() == head) {
                throw corrupt("its change log holds change " + (head + 1) + ", published, past its head " + head);
            }
        }
        throw corrupt("its change log's head moved under each of " + Words.CAS_TRIES + " looks past a change published"
                + " beyond it (a peer that keeps writing them)");
    }

    public void unsubscribe() {
        int n = (int) INT.getAndAdd(control, SUBSCRIBERS, -1) - 1;
        LONG.getAndAdd(control, slotCounters + slot * ControlLayout.SLOT_COUNTERS_SIZE, -1L);
        if (n < 0 || n >= MAX_SUBSCRIBERS) repairSubscribers(0);
    }

    /**
     * For an open subscription about to sleep: a count below 1 cannot be right (this subscription counts), and while
     * it is 0 writers record nothing. Sets it right, so that a subscriber whose count a peer overwrote is starved
     * no longer than until its next poll. One load when the count is sound.
     */
    public void checkSubscribed() {
        int n = (int) INT.getOpaque(control, SUBSCRIBERS);
        if (n < 1 || n >= MAX_SUBSCRIBERS) repairSubscribers(1);
    }

    /** The number of open subscriptions (of every process). */
    public int subscribers() {
        return (int) INT.getVolatile(control, SUBSCRIBERS);
    }

    /**
     * Adds {@code count} to the map's total of changes its subscribers missed: a subscription does so when it tells
     * its reader of changes the log no longer held. Only monitoring reads the total, so a peer's garbage in it
     * misleads a dashboard and nothing else.
     */
    public void countMissed(long count) {
        LONG.getAndAdd(control, MISSED, count);
    }

    /** The changes subscribers were told they missed, summed over every subscription of every process. */
    public long missed() {
        return (long) LONG.getVolatile(control, MISSED);
    }

    /** The number of threads sleeping on the head now. */
    public int waiters() {
        return (int) INT.getVolatile(control, WAITERS);
    }

    /**
     * True once change {@code seq} is published, or a later change overwrote its entry. A spinning reader watches
     * this rather than the head: the entry's sequence is the last word a writer stores, in the line the reader
     * reads next, and the head's line stays in the writer's cache.
     */
    public boolean filled(long seq) {
        return (long) LONG.getAcquire(control, entry(seq) + E_SEQ) >= seq;
    }

    /** True once a later change overwrote the entry of change {@code seq}. */
    public boolean overwritten(long seq) {
        return (long) LONG.getAcquire(control, entry(seq) + E_SEQ) > seq;
    }

    /**
     * Reads change {@code seq}, waiting (until {@code waitUntil}, {@link System#nanoTime()}) if its writer has reserved
     * but not yet published it.
     *
     * @return the change, or null if it was overwritten (or its writer never published it)
     */
    public Change read(long seq, long waitUntil) {
        long e = entry(seq);
        if (!published(e, seq, waitUntil)) return null;
        int key = (int) INT.get(control, e + E_KEY);
        int pid = (int) INT.get(control, e + E_PID);
        return stillHolds(e, seq) ? new Change(key, seq, pid) : null;
    }

    /** One change as a hash map's change log holds it: the slot, the writer's pid, the kind. */
    public record KeyedEntry(int slot, long seq, int pid, int kind) {}

    /**
     * Reads change {@code seq} of a hash map, copying its key bytes into {@code keyInto}; waits, as
     * {@link #read(long, long)} does, for a change reserved but not yet published.
     *
     * @return the change, or null if it was overwritten (or its writer never published it)
     */
    public KeyedEntry readKeyed(long seq, MemorySegment keyInto, long waitUntil) {
        long e = entry(seq);
        if (!published(e, seq, waitUntil)) return null;
        int slot = (int) INT.get(control, e + E_KEY);
        int pid = (int) INT.get(control, e + E_PID);
        int kind = (int) INT.get(control, e + E_KIND);
        MemorySegment.copy(control, changeKey(seq), keyInto, 0, Math.min(keyInto.byteSize(), keyStride));
        return stillHolds(e, seq) ? new KeyedEntry(slot, seq, pid, kind) : null;
    }

    /**
     * The longest a reader waits for the changes a pass over the log finds reserved but not yet published (their
     * writers are between two stores, or died there): after it, they count as missed. One wait for the pass, not one
     * each: a log a peer filled with such entries must not keep a reader for a second per entry. A poll whose own
     * timeout ends first stops at such a change, and the pass's wait goes on in the next poll.
     */
    public static long publishWaitUntil(long now) {
        return now + PUBLISH_WAIT_NANOS;
    }

    /**
     * Waits until entry {@code e} holds change {@code seq}, at most until {@code waitUntil}: true once it does (its
     * fields may then be read, and {@link #stillHolds} says whether they were overwritten meanwhile); false if it holds
     * a later change already, or the change's writer reserved it but has not published it by then (it died between
     * two stores).
     */
    private boolean published(long e, long seq, long waitUntil) {
        for (int spins = 0; ; spins++) {
            long s = (long) LONG.getAcquire(control, e + E_SEQ);
            if (s == seq) return true;
            if (s > seq) return false;
            if (spins < 100) {
                Thread.onSpinWait();
            } else {
                if (System.nanoTime() - waitUntil >= 0) return false;
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** True if entry {@code e} still holds change {@code seq} after its fields were read. */
    private boolean stillHolds(long e, long seq) {
        VarHandle.loadLoadFence();
        return (long) LONG.get(control, e + E_SEQ) == seq;
    }

    /**
     * Sleeps until the head moves past {@code seen}, or {@code timeoutNanos} pass. Registers as a waiter first, so a
     * writer that records a change after the check below wakes it.
     */
    public void await(long seen, long timeoutNanos) {
        long counter = slotCounters + slot * ControlLayout.SLOT_COUNTERS_SIZE;
        LONG.getAndAdd(control, counter, 1L << 32);
        INT.getAndAdd(control, WAITERS, 1); // a full fence: the re-check below cannot move above it
        try {
            if (head() != seen) return;
            Sleepers.await(control.asSlice(HEAD, 4), (int) seen, System.nanoTime() + timeoutNanos, Sleepers.Wake.ALL, null);
        } finally {
            INT.getAndAdd(control, WAITERS, -1);
            LONG.getAndAdd(control, counter, -(1L << 32));
        }
    }

    // ------------------------------------------------------------------------------------ counts of dead slots

    /** Takes the counts a dead previous holder of our own slot left behind out of the totals. */
    private void takeBackStaleCounts(int ownSlot) {
        long counter = slotCounters + ownSlot * ControlLayout.SLOT_COUNTERS_SIZE;
        long stale = (long) LONG.getAndSet(control, counter, 0L);
        subtract(stale);
    }

    /** Takes the counts of every slot whose holder is gone out of the totals. */
    private void sweepDeadSlots() {
        for (int s = 0; s < ControlLayout.SLOT_COUNT; s++) {
            if (s == slot) continue;
            long counter = slotCounters + s * ControlLayout.SLOT_COUNTERS_SIZE;
            long c = (long) LONG.getVolatile(control, counter);
            if (c == 0 || ProcessSlots.isHeld(fd, s)) continue;
            if (LONG.compareAndSet(control, counter, c, 0L)) subtract(c);
        }
    }

    private void subtract(long counts) {
        int subscriptions = (int) counts;
        int waiting = (int) (counts >>> 32);
        if (subscriptions != 0) {
            int n = (int) INT.getAndAdd(control, SUBSCRIBERS, -subscriptions) - subscriptions;
            if (n < 0 || n >= MAX_SUBSCRIBERS) repairSubscribers(0);
        }
        if (waiting != 0) INT.getAndAdd(control, WAITERS, -waiting);
    }

    /**
     * Sets a subscriber count that no set of subscriptions gives (below {@code atLeast}, which the caller's own
     * subscription makes 1, or at or past {@link #MAX_SUBSCRIBERS}) to the subscriptions the counters of the live
     * slots hold, and logs it. Only an impossible count is changed: a plausible one may be right while another
     * subscription is between its two counts, which a sum of the slot counters cannot see.
     */
    private void repairSubscribers(int atLeast) {
        // a few tries: each sums every slot's counter, and the count is repaired again where it is next found wrong
        for (int tries = 0; tries < REPAIR_TRIES; tries++) {
            int seen = (int) INT.getVolatile(control, SUBSCRIBERS);
            if (seen >= atLeast && seen < MAX_SUBSCRIBERS) return; // set right meanwhile
            int repaired = Math.max(atLeast, liveSubscriptions());
            if (INT.compareAndSet(control, SUBSCRIBERS, seen, repaired)) {
                LibraryLogger.get().log(System.Logger.Level.WARNING, () -> "map '" + mapName + "': its subscriber count was "
                        + Integer.toUnsignedString(seen) + ", which no set of subscriptions gives (another process"
                        + " wrote it, or it wrapped); set it to " + repaired + ", the subscriptions of the processes"
                        + " that have the map open. Changes made while it was 0 were not recorded for them.");
                return;
            }
        }
    }

    /** The subscriptions that the slot counters of this handle and of every live handle hold. */
    private int liveSubscriptions() {
        long sum = 0;
        for (int s = 0; s < ControlLayout.SLOT_COUNT; s++) {
            long counts = (long) LONG.getVolatile(control, slotCounters + s * ControlLayout.SLOT_COUNTERS_SIZE);
            int subscriptions = (int) counts;
            if (subscriptions <= 0) continue; // none, or a count no handle has
            if (s == slot || ProcessSlots.isHeld(fd, s)) sum += Math.min(subscriptions, MAX_PER_SLOT);
        }
        return (int) Math.min(sum, MAX_SUBSCRIBERS - 1);
    }
}
