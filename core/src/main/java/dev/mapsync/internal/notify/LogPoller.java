package dev.mapsync.internal.notify;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The reading side of a subscription to a {@link ChangeLog}, shared by the public cursors of arrays and hash maps:
 * it subscribes, then hands out the changes recorded since the last poll in sequence order, turning the ones the log
 * no longer holds into counts of missed changes, and sleeps on the log's event count when there are none.
 *
 * @param <E> the cursor's event type
 */
public final class LogPoller<E> {
    /** How a cursor reads one change and names missed ones. */
    public interface Entries<E> {
        /**
         * Adds the event of change {@code seq} to {@code out} if the cursor wants it.
         *
         * @return false if the log no longer holds the change (it counts as missed)
         */
        boolean read(long seq, List<E> out);

        /** The event for {@code count} changes from {@code from} on that were overwritten before they were read. */
        E missed(long from, long count);
    }

    private final ChangeLog log;
    private final Entries<E> entries;
    private final Runnable checkOpen;
    private final Function<IllegalStateException, RuntimeException> closedOr;
    private long next;

    /**
     * Subscribes to {@code log}.
     *
     * @param checkOpen throws when the cursor or its map is closed
     * @param closedOr  the exception to throw for a failed access to the map's memory
     */
    public LogPoller(ChangeLog log, Entries<E> entries, Runnable checkOpen,
                     Function<IllegalStateException, RuntimeException> closedOr) {
        this.log = log;
        this.entries = entries;
        this.checkOpen = checkOpen;
        this.closedOr = closedOr;
        this.next = log.subscribe();
    }

    /** The sequence number of the next change to hand out. */
    public long position() {
        return next;
    }

    /**
     * The changes recorded since the last call, waiting up to {@code timeoutNanos} for at least one wanted change,
     * spinning for the first {@code spinNanos} of the wait before sleeping; empty when none came in time.
     */
    public List<E> poll(long timeoutNanos, long spinNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        long spinUntil = System.nanoTime() + spinNanos;
        List<E> out = new ArrayList<>();
        while (true) {
            checkOpen.run();
            long head;
            try {
                head = log.head();
            } catch (IllegalStateException e) {
                throw closedOr.apply(e);
            }
            if (head >= next) {
                collect(head, out);
                if (!out.isEmpty()) return out;
                continue;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) return out;
            if (now - spinUntil < 0) {
                Thread.onSpinWait();
                continue;
            }
            try {
                log.await(head, deadline - now);
            } catch (IllegalStateException e) {
                throw closedOr.apply(e);
            }
        }
    }

    private void collect(long head, List<E> out) {
        long oldest = head - log.capacity() + 1;
        if (next < oldest) {
            out.add(entries.missed(next, oldest - next));
            next = oldest;
        }
        long missedFrom = -1;
        for (; next <= head; next++) {
            int before = out.size();
            if (!entries.read(next, out)) {
                if (missedFrom < 0) missedFrom = next;
                continue;
            }
            if (missedFrom >= 0) {
                // before the event just read (if it was wanted), so that events stay in sequence order
                out.add(before, entries.missed(missedFrom, next - missedFrom));
                missedFrom = -1;
            }
        }
        if (missedFrom >= 0) out.add(entries.missed(missedFrom, next - missedFrom));
    }

    /** Ends the subscription. */
    public void unsubscribe() {
        log.unsubscribe();
    }
}
