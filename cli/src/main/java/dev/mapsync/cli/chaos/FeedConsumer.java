package dev.mapsync.cli.chaos;

import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedRing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The queue's one consumer, a thread of the coordinator for the whole soak. It expects each producer slot's numbers
 * in order: the next one, or a later one when numbers were skipped (each skipped number must be one that a killed
 * producer had in flight, which the coordinator notes after each kill); a number at or below the last received is
 * a duplicate or out of order. Records skipped by the ring because their producer died before committing them are
 * counted by the consumer ({@link RingConsumer#lost()}), at most one per producer kill.
 */
final class FeedConsumer {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final RingConsumer consumer;
    private final int producers;
    /** The next number expected from each producer slot. */
    private final long[] next;
    /** Numbers that never arrived, as {@code producer << 40 | seq}. */
    private final Set<Long> skipped = new HashSet<>();
    private final List<String> violations = new ArrayList<>();
    private long received;

    FeedConsumer(SharedRing ring, int producers) {
        this.consumer = ring.consumer();
        this.producers = producers;
        this.next = new long[producers];
        java.util.Arrays.fill(next, 1);
    }

    static long key(int producer, long seq) {
        return (long) producer << 40 | seq;
    }

    /** Takes one record if one comes within {@code wait}; true if it did. */
    boolean takeOne(Duration wait) {
        RingRecord r = consumer.next(wait);
        if (r == null) return false;
        MemorySegment p = r.payload();
        int producer = p.get(INT, 0), kind = p.get(INT, 4);
        long seq = p.get(LONG, 8);
        int length = r.length();
        r.release();
        synchronized (this) {
            received++;
            if (length != 16 || kind != 0 || producer < 0 || producer >= producers) {
                violations.add("queue: a record that no producer sent: length " + length + ", producer " + producer
                        + ", kind " + kind + ", seq " + seq);
            } else if (seq < next[producer]) {
                violations.add("queue: producer " + producer + "'s record " + seq + " arrived after record "
                        + (next[producer] - 1) + " (repeated or out of order)");
            } else {
                for (long s = next[producer]; s < seq; s++) skipped.add(key(producer, s));
                next[producer] = seq + 1;
            }
        }
        return true;
    }

    /** Records received so far. */
    synchronized long received() {
        return received;
    }

    /** Records the ring skipped because their producer died before committing them. */
    long lost() {
        return consumer.lost();
    }

    /** The last number received from {@code producer}. */
    synchronized long lastReceived(int producer) {
        return next[producer] - 1;
    }

    /** What went wrong since the last call; cleared. */
    synchronized List<String> takeViolations() {
        List<String> v = new ArrayList<>(violations);
        violations.clear();
        return v;
    }

    /** The numbers that never arrived and that no killed producer had in flight ({@code inDoubt}); removes the rest. */
    synchronized List<Long> unexplainedSkips(Set<Long> inDoubt) {
        List<Long> unexplained = new ArrayList<>();
        for (Long k : skipped) if (!inDoubt.contains(k)) unexplained.add(k);
        return unexplained;
    }

    /** How many numbers never arrived. */
    synchronized int skippedCount() {
        return skipped.size();
    }

    void close() {
        consumer.close();
    }
}
