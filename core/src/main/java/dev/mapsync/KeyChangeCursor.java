package dev.mapsync;

import dev.mapsync.internal.notify.ChangeLog;
import dev.mapsync.internal.notify.CursorTurns;
import dev.mapsync.internal.notify.LogPoller;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A subscription to a hash map's changes, read by pulling: {@link #poll(Duration)} returns the changes recorded
 * since the last call, in sequence order, or waits for some. Obtain one from {@link SharedHashMap#changes()}; close
 * it to end the subscription. The same contract as {@link ChangeCursor} for arrays: every change made through the
 * API after the cursor was created is delivered, or reported as a {@link MissedKeyChanges} with the exact count;
 * waiting sleeps in {@code FUTEX_WAIT}.
 *
 * <p>Each change names its key exactly: the writer copies the key's bytes beside the change log entry, so the key
 * is right even if it moved or was deleted since.
 *
 * <p><b>Threads.</b> A cursor is safe to share between the threads of a process: their polls take turns, and each
 * change is delivered to exactly one of them (each poll's list in sequence order). A poll waits for another thread's
 * poll no longer than its own timeout (it then returns an empty list, as on any timeout). Any thread may close the
 * cursor, once or many times at once: the subscription ends once, and a poll in progress in another thread throws
 * {@link MapClosedException} when its wait ends (at the next change or at its timeout).
 *
 * @param <K> the Java type of the map's keys
 */
public final class KeyChangeCursor<K> implements AutoCloseable {
    private final SharedHashMap<K, ?> map;
    private final LogPoller<KeyChangeEvent<K>> poller;
    private final CursorTurns<KeyChangeEvent<K>> turns;

    KeyChangeCursor(SharedHashMap<K, ?> map, ChangeLog log, Predicate<? super K> filter) {
        this.map = map;
        MemorySegment keyBytes = MemorySegment.ofArray(new byte[map.keyCodec().size()]);
        this.poller = new LogPoller<>(log, new LogPoller.Entries<>() {
            @Override
            public boolean read(long seq, long waitUntil, List<KeyChangeEvent<K>> out) {
                ChangeLog.KeyedEntry e = log.readKeyed(seq, keyBytes, waitUntil);
                if (e == null) return false;
                K key;
                try {
                    key = map.keyCodec().read(keyBytes, 0);
                } catch (InvalidValueException bad) {
                    throw log.corrupt("change " + seq + " of its change log holds bytes that are no key of the map ("
                            + bad.getMessage() + ")");
                }
                if (e.kind() < ChangeLog.KIND_WRITE || e.kind() > ChangeLog.KIND_REMOVE) {
                    throw log.corrupt("change " + seq + " of its change log is of kind " + e.kind() + ", which no"
                            + " writer records");
                }
                if (filter.test(key)) out.add(new KeyChange<>(key, kind(e.kind()), e.seq(), e.pid()));
                return true;
            }

            @Override
            public KeyChangeEvent<K> missed(long from, long count) {
                return new MissedKeyChanges<>(from, count);
            }
        }, this::checkOpen, map::closedOr);
        this.turns = new CursorTurns<>(poller, "the change cursor of map '" + map.name() + "'");
    }

    /**
     * Spin for up to {@code spin} before sleeping in the kernel: lower latency for CPU. Default: no spinning.
     *
     * @param spin how long to spin
     * @return this cursor
     */
    public KeyChangeCursor<K> spinBeforeSleep(Duration spin) {
        turns.spinBeforeSleep(spin.toNanos());
        return this;
    }

    /** {@return the sequence number of the next change this cursor will deliver} */
    public long position() {
        return turns.position();
    }

    /**
     * The changes recorded since the last call (only those of keys the cursor's filter accepts), waiting up to
     * {@code timeout} for at least one.
     *
     * <p>A change reserved and not yet published holds the ones after it back for at most a second, over as many polls
     * as that takes, as {@link ChangeCursor#poll} says; no poll waits for it past its own timeout.
     *
     * @param timeout how long to wait for a change
     * @return the changes, in sequence order; an empty list when none came in time
     * @throws MapClosedException       if the cursor or its map is closed
     * @throws WaitInterruptedException if the thread was interrupted while another thread's poll ran
     */
    public List<KeyChangeEvent<K>> poll(Duration timeout) {
        return turns.poll(timeout.toNanos());
    }

    private static KeyChange.Kind kind(int kind) {
        return switch (kind) {
            case ChangeLog.KIND_REMOVE -> KeyChange.Kind.REMOVE;
            case ChangeLog.KIND_ATOMIC -> KeyChange.Kind.ADD;
            default -> KeyChange.Kind.PUT;
        };
    }

    private void checkOpen() {
        if (turns.isClosed()) throw new MapClosedException("change cursor of map '" + map.name() + "' is closed");
        if (map.isClosed()) throw new MapClosedException("map '" + map.name() + "' is closed");
    }

    /** Ends the subscription. Idempotent. */
    @Override
    public void close() {
        if (!turns.close()) return;
        if (!map.isClosed()) poller.unsubscribe();
    }
}
