package dev.mapsync.internal.wait;

import dev.mapsync.internal.sys.Futex;
import dev.mapsync.internal.sys.FutexVector;
import dev.mapsync.internal.wait.Sleepers.Check;
import dev.mapsync.internal.wait.Sleepers.Wake;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static dev.mapsync.internal.sys.Words.INT;

/**
 * The one platform thread of a process that sleeps in the kernel for the virtual threads that wait on shared words
 * (see {@link Sleepers}), and runs the checks of every waited-on word.
 *
 * <p>Its loop: under the registry's lock, drop words nobody waits on, run the checks that are due, read each
 * watched word and unpark the threads that expected another value; then sleep in {@code futex_waitv} on the words
 * (with their current values, so a change in between makes the call return at once), on its own control word
 * (bumped and woken whenever a thread starts to wait, so the next round includes it), until the next check is due,
 * and for a second at most while threads are parked (an unmapped word is woken by no one).
 * A word woken for {@link Wake#ONE one} waiter unparks the longest-waiting one; a word woken with no parked thread
 * left passes the wake on, since the kernel gave it to this thread instead of another sleeper. A parked thread looks
 * at its condition again whatever woke it, so an unpark too many costs a look, and one too few is made up by the
 * next check or its own deadline.
 *
 * <p>Words beyond what one {@code futex_waitv} call takes are not slept on: their threads are unparked every
 * {@value #OVERFLOW_MILLIS} ms to look again.
 */
final class SleeperService implements Runnable {
    /** Null when the kernel has no {@code futex_waitv} (before 5.16). */
    static final SleeperService INSTANCE = FutexVector.supported() ? new SleeperService() : null;

    private static final long OVERFLOW_MILLIS = 10;
    private static final long IDLE_NANOS = 60_000_000_000L;
    /**
     * How long the service sleeps at most while threads are parked: a map closed (unmapped) under them wakes no one,
     * so the next round finds its words gone and unparks their threads, as a platform thread's own slice would.
     */
    private static final long PARKED_NANOS = Sleepers.PLATFORM_SLICE_NANOS;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Long, Word> words = new HashMap<>();
    /** Bumped and woken whenever the set of words or their expectations change. */
    private final MemorySegment control = Arena.global().allocate(4, 4);
    private Thread thread;

    /** A word that threads wait on, with its parked threads and its watchers. */
    private static final class Word {
        final MemorySegment segment;
        final long address;
        final List<Parked> parked = new ArrayList<>();
        Check check;
        long nextCheck;
        /** When threads parked on a word the vector has no room for are next unparked to look again. */
        long nextPoll;
        /** The value the word held when its parked threads' expectations were last compared with it. */
        int seen;
        /** True when threads parked since that comparison. */
        boolean newcomers;
        int watchers;

        Word(MemorySegment segment, Check check) {
            this.segment = segment;
            this.address = segment.address();
            this.check = check;
            if (check != null) nextCheck = System.nanoTime() + check.everyNanos();
        }

        boolean idle() {
            return parked.isEmpty() && watchers == 0;
        }
    }

    /** A parked virtual thread. */
    private record Parked(Thread thread, int expected, Wake wake) {}

    /** A platform thread's interest in a word's check while it sleeps in {@code FUTEX_WAIT}. */
    final class Watch {
        private final Word word;

        private Watch(Word word) {
            this.word = word;
        }

        void cancel() {
            lock.lock();
            try {
                word.watchers--;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Parks the calling virtual thread until its word is woken or changes, its check fires, or the deadline. */
    void park(MemorySegment segment, int expected, long deadline, Wake wake, Check check) {
        Parked me = new Parked(Thread.currentThread(), expected, wake);
        Word word;
        lock.lock();
        try {
            word = word(segment, check);
            word.parked.add(me);
            word.newcomers = true;
            start();
        } finally {
            lock.unlock();
        }
        poke();
        LockSupport.parkNanos(deadline - System.nanoTime());
        lock.lock();
        try {
            word.parked.remove(me);
        } finally {
            lock.unlock();
        }
    }

    /** Registers a platform thread's interest in the check of a word it is about to sleep on. */
    Watch watch(MemorySegment segment, Check check) {
        lock.lock();
        try {
            Word word = word(segment, check);
            word.watchers++;
            start();
            return new Watch(word);
        } finally {
            lock.unlock();
            poke();
        }
    }

    /** The registered word at the segment's address, made if there is none (or the one there was unmapped). */
    private Word word(MemorySegment segment, Check check) {
        Word word = words.get(segment.address());
        if (word == null || !word.segment.scope().isAlive()) {
            // a word of a map closed since, whose address a new mapping took: its threads were the closed map's
            if (word != null) unparkAll(word);
            word = new Word(segment, check);
            words.put(word.address, word);
        } else if (word.check == null && check != null) {
            word.check = check;
            word.nextCheck = System.nanoTime() + check.everyNanos();
        }
        return word;
    }

    private void start() {
        if (thread != null) return;
        thread = Thread.ofPlatform().daemon().name("mapsync-sleepers").start(this);
    }

    /** Makes the service look at the registry again. */
    private void poke() {
        INT.getAndAdd(control, 0L, 1);
        Futex.wake(control.address(), 1);
    }

    @Override
    public void run() {
        try (FutexVector vector = new FutexVector()) {
            List<Word> slept = new ArrayList<>();
            while (true) {
                long until = prepare(vector, slept);
                int woken = vector.await(until);
                if (woken > 0) woken(slept.get(woken - 1));
                else if (woken == FutexVector.FAULT) dropUnmapped(slept);
            }
        }
    }

    /**
     * One round's look at the registry: fills {@code vector} with the control word and the words to sleep on (listed
     * in {@code slept}, entry {@code i} at index {@code i + 1}).
     *
     * @return when to wake up at the latest ({@link System#nanoTime()})
     */
    private long prepare(FutexVector vector, List<Word> slept) {
        vector.clear();
        slept.clear();
        vector.add(control.address(), (int) INT.getVolatile(control, 0L), false);
        long now = System.nanoTime();
        long until = now + IDLE_NANOS;
        lock.lock();
        try {
            for (Iterator<Word> it = words.values().iterator(); it.hasNext(); ) {
                Word w = it.next();
                if (w.idle()) {
                    it.remove();
                    continue;
                }
                if (w.check != null) {
                    if (now - w.nextCheck >= 0) {
                        w.nextCheck = now + w.check.everyNanos();
                        if (fired(w.check)) {
                            wakeEverywhere(w);
                            continue;
                        }
                    }
                    if (w.nextCheck - until < 0) until = w.nextCheck;
                }
                if (w.parked.isEmpty()) continue;
                Integer current = read(w);
                if (current == null) {
                    unparkAll(w); // unmapped, or its memory vanished: let them find out
                    continue;
                }
                if (w.newcomers || current != w.seen) {
                    // only then can an expectation differ from the value: a round costs nothing per parked thread
                    w.newcomers = false;
                    w.seen = current;
                    w.parked.removeIf(p -> {
                        if (p.expected() == current) return false;
                        LockSupport.unpark(p.thread());
                        return true;
                    });
                }
                if (w.parked.isEmpty()) continue;
                if (until - now > PARKED_NANOS) until = now + PARKED_NANOS;
                if (vector.size() < FutexVector.MAX) {
                    vector.add(w.address, current, false);
                    slept.add(w);
                } else {
                    if (now - w.nextPoll >= 0) {
                        w.nextPoll = now + OVERFLOW_MILLIS * 1_000_000;
                        unparkAll(w);
                    }
                    if (w.nextPoll - until < 0) until = w.nextPoll;
                }
            }
        } finally {
            lock.unlock();
        }
        return until;
    }

    /** The word's value, or null when its memory is gone. */
    private static Integer read(Word w) {
        try {
            return (int) INT.getVolatile(w.segment, 0L);
        } catch (IllegalStateException | InternalError gone) {
            return null;
        }
    }

    private static boolean fired(Check check) {
        try {
            return check.fired().getAsBoolean();
        } catch (RuntimeException | InternalError e) {
            return true; // whatever went wrong, the waiters find out for themselves
        }
    }

    /** A word the kernel woke this thread for: hand the wake to its parked threads. */
    private void woken(Word w) {
        lock.lock();
        try {
            if (w.parked.isEmpty()) {
                // the wake was meant for a waiter that left: pass it on to another sleeper, if any
                Futex.wake(w.address, 1);
                return;
            }
            boolean all = w.parked.stream().anyMatch(p -> p.wake() == Wake.ALL);
            if (all) {
                unparkAll(w);
            } else {
                LockSupport.unpark(w.parked.removeFirst().thread());
            }
        } catch (RuntimeException unmapped) {
            unparkAll(w);
        } finally {
            lock.unlock();
        }
    }

    /** A check fired: wake every sleeper on the word, in every process, and unpark its parked threads. */
    private void wakeEverywhere(Word w) {
        try {
            Futex.wake(w.address, Integer.MAX_VALUE);
        } catch (RuntimeException unmapped) {
            // nobody can sleep on it any more
        }
        unparkAll(w);
    }

    private static void unparkAll(Word w) {
        for (Parked p : w.parked) LockSupport.unpark(p.thread());
        w.parked.clear();
    }

    /**
     * A word's address no longer has memory behind it (its map was closed, or its file shrank): its threads find out
     * when they look, and the word is slept on no more.
     */
    private void dropUnmapped(List<Word> slept) {
        lock.lock();
        try {
            for (Word w : slept) {
                if (read(w) == null) unparkAll(w);
            }
        } finally {
            lock.unlock();
        }
    }
}
