package dev.mapsync.internal.notify;

import dev.mapsync.WaitInterruptedException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What makes one change cursor safe to share between threads: its polls take turns (a {@link LogPoller} hands out
 * each change once, from one position), a thread waits for its turn no longer than its own timeout, and the
 * subscription ends once however many threads close it at once (a second unsubscribe would take another
 * subscriber's count away, and writers would stop recording for it).
 *
 * @param <E> the cursor's event type
 */
public final class CursorTurns<E> {
    private final LogPoller<E> poller;
    private final ReentrantLock turn = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The poller's position as of the last poll that ended, for threads that ask while another polls. */
    private volatile long position;
    private volatile long spinNanos;
    private final String what;

    /** @param what the cursor, for messages ("the change cursor of map 'x'") */
    public CursorTurns(LogPoller<E> poller, String what) {
        this.poller = poller;
        this.what = what;
        this.position = poller.position();
    }

    /**
     * The poller's next events, waiting up to {@code timeoutNanos} in all: first for another thread's poll to end,
     * then for events.
     *
     * @return the events, or an empty list when none came in time
     */
    public List<E> poll(long timeoutNanos) {
        long start = System.nanoTime();
        try {
            if (!turn.tryLock(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS)) return new ArrayList<>();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WaitInterruptedException("interrupted while waiting for another thread's poll of " + what);
        }
        try {
            return poller.poll(Math.max(0, timeoutNanos - (System.nanoTime() - start)), spinNanos);
        } finally {
            position = poller.position();
            turn.unlock();
        }
    }

    /** The sequence number of the next change to hand out (as of the last poll, while another thread polls). */
    public long position() {
        return turn.isHeldByCurrentThread() ? poller.position() : position;
    }

    public void spinBeforeSleep(long nanos) {
        this.spinNanos = nanos;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Marks the cursor closed; true for the one call that did, which ends the subscription. */
    public boolean close() {
        return closed.compareAndSet(false, true);
    }
}
