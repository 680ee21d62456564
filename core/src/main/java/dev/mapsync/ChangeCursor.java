package dev.mapsync;

import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.notify.CursorTurns;
import dev.mapsync.internal.notify.LogPoller;

import java.time.Duration;
import java.util.List;

/**
 * A subscription to a map's changes, read by pulling: {@link #poll(Duration)} returns the changes recorded since the
 * last call, in sequence order, or waits for some. Obtain one from {@link SharedArray#changes()}; close it to end
 * the subscription.
 *
 * <p>Every change made through the API (a set, an atomic operation, an update under a lock) after the cursor was
 * created is delivered, or, if the cursor fell further behind than the map's change log holds, reported as a
 * {@link MissedChanges} with the exact count. Changes made behind the API's back (a C program writing through its
 * own mapping, bpftool, a BPF program) are not recorded; see {@link SharedArray#watchPolling}.
 *
 * <p>Waiting costs no CPU: the cursor sleeps in {@code FUTEX_WAIT} on the map's event count and writers wake it
 * only when someone sleeps. {@link #spinBeforeSleep} trades CPU for latency.
 *
 * <p><b>Threads.</b> A cursor is safe to share between the threads of a process: their polls take turns, and each
 * change is delivered to exactly one of them (each poll's list in sequence order). A poll waits for another thread's
 * poll no longer than its own timeout (it then returns an empty list, as on any timeout). Any thread may close the
 * cursor, once or many times at once: the subscription ends once, and a poll in progress in another thread throws
 * {@link MapClosedException} when its wait ends (at the next change or at its timeout).
 */
public final class ChangeCursor implements AutoCloseable {
    private final SharedArray<?> array;
    private final LogPoller<ChangeEvent> poller;
    private final CursorTurns<ChangeEvent> turns;

    ChangeCursor(SharedArray<?> array, ChangeLog log, int fromKey, int toKey) {
        this.array = array;
        this.poller = new LogPoller<>(log, new LogPoller.Entries<>() {
            @Override
            public boolean read(long seq, long waitUntil, List<ChangeEvent> out) {
                Change c = log.read(seq, waitUntil);
                if (c == null) return false;
                if (c.key() < 0 || c.key() >= array.length()) {
                    // no writer records a change of an entry the map does not have: a listener must never get one
                    throw log.corrupt("change " + seq + " of its change log names entry " + c.key() + ", and it has"
                            + " entries 0.." + (array.length() - 1));
                }
                if (c.key() >= fromKey && c.key() <= toKey) out.add(c);
                return true;
            }

            @Override
            public ChangeEvent missed(long from, long count) {
                return new MissedChanges(from, count);
            }
        }, this::checkOpen, array::closedOr);
        this.turns = new CursorTurns<>(poller, "the change cursor of map '" + array.name() + "'");
    }

    /**
     * Spin (watching for the next change) for up to {@code spin} before sleeping in the kernel: lower wake-up latency
     * at the price of CPU while waiting. Default: no spinning.
     *
     * @param spin how long to spin
     * @return this cursor
     */
    public ChangeCursor spinBeforeSleep(Duration spin) {
        turns.spinBeforeSleep(spin.toNanos());
        return this;
    }

    /** {@return the sequence number of the next change this cursor will deliver} */
    public long position() {
        return turns.position();
    }

    /**
     * The changes recorded since the last call (only those of keys in the cursor's range), waiting up to
     * {@code timeout} for at least one.
     *
     * <p>A change that a writer reserved and has not published yet (it is between its two stores, or died there, or
     * it was a whole lap of the log behind and published over a newer change) holds the ones after it back for at
     * most a second, over as many polls as that takes; it then counts as missed. No poll waits for it past its own
     * timeout, so a poll shorter than that second may return an empty list while changes are held back.
     *
     * @param timeout how long to wait for a change
     * @return the changes, in sequence order; an empty list when none came in time
     * @throws MapClosedException       if the cursor or its map is closed
     * @throws WaitInterruptedException if the thread was interrupted while another thread's poll ran
     */
    public List<ChangeEvent> poll(Duration timeout) {
        return turns.poll(timeout.toNanos());
    }

    private void checkOpen() {
        if (turns.isClosed()) throw new MapClosedException("change cursor of map '" + array.name() + "' is closed");
        if (array.isClosed()) throw new MapClosedException("map '" + array.name() + "' is closed");
    }

    /** Ends the subscription. Idempotent. */
    @Override
    public void close() {
        if (!turns.close()) return;
        if (!array.isClosed()) poller.unsubscribe();
    }
}
