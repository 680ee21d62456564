package dev.mapsync.internal.notify;

import dev.mapsync.internal.events.ChangesMissedEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The reading side of a subscription to a {@link ChangeLog}, shared by the public cursors of arrays and hash maps:
 * it subscribes, then hands out the changes recorded since the last poll in sequence order, turning the ones the log
 * no longer holds into counts of missed changes, and sleeps on the log's event count when there are none.
 *
 * <p>One thread at a time: a cursor shared by threads lets them poll in turn ({@link CursorTurns}).
 *
 * @param <E> the cursor's event type
 */
public final class LogPoller<E> {
    /** How a cursor reads one change and names missed ones. */
    public interface Entries<E> {
        /**
         * Adds the event of change {@code seq} to {@code out} if the cursor wants it, waiting until {@code waitUntil}
         * ({@link System#nanoTime()}) if its writer reserved it but has not published it yet.
         *
         * @return false if the log no longer holds the change (it counts as missed)
         */
        boolean read(long seq, long waitUntil, List<E> out);

        /** The event for {@code count} changes from {@code from} on that were overwritten before they were read. */
        E missed(long from, long count);
    }

    private final ChangeLog log;
    private final Entries<E> entries;
    private final Runnable checkOpen;
    private final Function<Throwable, RuntimeException> closedOr;
    private long next;
    /**
     * Until when ({@link System#nanoTime()}) the pass over the log under way waits for changes reserved but not yet
     * published ({@link ChangeLog#publishWaitUntil}), kept across polls that stop at such a change at their own
     * timeout; {@link #NO_PASS} when no pass is under way.
     */
    private long publishWaitUntil = NO_PASS;
    private static final long NO_PASS = Long.MIN_VALUE;
    /** The change a poll stopped at, at its deadline, not yet published then; -1 if none. */
    private long heldAt = -1;

    /**
     * Subscribes to {@code log}.
     *
     * @param checkOpen throws when the cursor or its map is closed
     * @param closedOr  the exception to throw for a failed access to the map's memory
     */
    public LogPoller(ChangeLog log, Entries<E> entries, Runnable checkOpen,
                     Function<Throwable, RuntimeException> closedOr) {
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
        List<E> out = new ArrayList<>();
        long start = System.nanoTime();
        while (true) {
            checkOpen.run();
            try {
                collectPublished(out);
                if (!out.isEmpty()) return out;
                if (System.nanoTime() - start < spinNanos && spinUntilFilled(start + spinNanos)) continue;
                long head = log.head();
                if (head < next - 1) {
                    // the head only grows: one behind the changes this cursor has read was written by someone else,
                    // and the changes recorded from it on would be skipped without a word
                    throw log.corrupt("its change log's head went back from " + (next - 1) + " to " + head);
                }
                if (head >= next) {
                    boolean finished = collect(head, out, start + timeoutNanos);
                    if (!out.isEmpty() || !finished) return out;
                    continue;
                }
                long now = System.nanoTime();
                if (now - start - timeoutNanos >= 0) return out;
                if (now - start < spinNanos) continue;
                log.checkSubscribed(); // a count a peer overwrote with 0 would let this sleep through every change
                log.await(head, start + timeoutNanos - now);
            } catch (IllegalStateException | InternalError e) {
                throw closedOr.apply(e);
            }
        }
    }

    /**
     * Hands out the changes published one after another from {@link #next} on, without reading the head: the head's
     * cache line then stays with the writer, whose next change costs it no transfer. Stops at the first change not
     * yet published, or overwritten ({@link #collect} counts what was missed).
     */
    private void collectPublished(List<E> out) {
        // published (or overwritten) already: nothing to wait for
        while (log.filled(next) && entries.read(next, 0, out)) next++;
    }

    /**
     * Spins until the next change is published (true), or {@code spinUntil} passes or the head moves past it (false:
     * a writer that reserved the change is slow to publish it, or died, and {@link #collect} waits for it, or skips
     * it).
     */
    private boolean spinUntilFilled(long spinUntil) {
        for (int i = 1; !log.filled(next); i++) {
            // the clock and the head are read now and then only: each read delays noticing the change
            if ((i & 63) == 0 && (System.nanoTime() - spinUntil >= 0 || log.head() >= next)) return false;
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * Hands out changes {@link #next} to {@code head}, the ones the log lost as counts of missed changes, waiting for
     * changes reserved but not yet published until {@link #publishWaitUntil}, or until {@code deadline} (the poll's)
     * if that comes first.
     *
     * @return false if it stopped at the poll's deadline, at a change not yet published
     */
    private boolean collect(long head, List<E> out, long deadline) {
        if (publishWaitUntil == NO_PASS) publishWaitUntil = ChangeLog.publishWaitUntil(System.nanoTime());
        long oldest = head - log.capacity() + 1;
        if (next < oldest) {
            out.add(missed(next, oldest - next));
            next = oldest;
        }
        long missedFrom = -1;
        boolean finished = true;
        for (; next <= head; next++) {
            if (heldAt >= 0 && next > heldAt) {
                // the change held back came (a missed one clears heldAt): its writer was slow, not gone, so the
                // changes after it (reserved while no one polled, perhaps) get a wait of their own
                heldAt = -1;
                publishWaitUntil = ChangeLog.publishWaitUntil(System.nanoTime());
            }
            int before = out.size();
            boolean pollEndsFirst = deadline - publishWaitUntil < 0;
            boolean read = entries.read(next, pollEndsFirst ? deadline : publishWaitUntil, out);
            if (!read && pollEndsFirst && !log.overwritten(next)) {
                // published since the wait gave up (read it now), or still reserved at the poll's deadline: the next
                // poll waits on for it
                read = log.filled(next) && entries.read(next, deadline, out);
                if (!read && !log.overwritten(next)) {
                    heldAt = next;
                    finished = false;
                    break;
                }
            }
            if (!read) {
                // missed: a change held back that never came gives the ones after it no second of their own
                if (next == heldAt) heldAt = -1;
                if (missedFrom < 0) missedFrom = next;
                continue;
            }
            if (missedFrom >= 0) {
                // before the event just read (if it was wanted), so that events stay in sequence order
                out.add(before, missed(missedFrom, next - missedFrom));
                missedFrom = -1;
            }
        }
        if (missedFrom >= 0) out.add(missed(missedFrom, next - missedFrom));
        if (finished) {
            publishWaitUntil = NO_PASS;
            heldAt = -1;
        }
        return finished;
    }

    /**
     * The cursor's event for {@code count} missed changes from {@code from} on, counted in the map's total of them and
     * told to the Flight Recorder.
     */
    private E missed(long from, long count) {
        log.countMissed(count);
        ChangesMissedEvent.emit(log.mapName(), from, count);
        return entries.missed(from, count);
    }

    /** Ends the subscription. */
    public void unsubscribe() {
        log.unsubscribe();
    }
}
