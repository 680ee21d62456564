package dev.mapsync;

import dev.mapsync.internal.ring.RingReader;
import dev.mapsync.internal.ring.ScratchRing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Prepares a process to consume kernel rings before its first consumer of one takes the role: it runs the consumer's
 * code ({@link RingConsumer} and its reader, every way an application reads) over a {@link ScratchRing} in this
 * process's own memory, tens of thousands of records in bursts, with discarded records, a record left BUSY, an empty
 * ring and a wait, so that the JIT has compiled what a burst runs, and has seen every branch it takes, before a
 * BPF program's burst arrives. A BPF program does not wait for its consumer: without this, a JVM that has just
 * started reads its first few thousand records in the interpreter, and the kernel drops a burst that libbpf's
 * consumer keeps up with. Runs once a process, about a tenth of a second on one core; later consumers find it done.
 */
final class ConsumerWarmUp {
    /** Bursts to read: enough invocations of the per-record methods for the optimizing compiler to take them. */
    private static final int ROUNDS = 400;
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration LONG_WAIT = Duration.ofSeconds(1);
    private static final Duration SHORT_WAIT = Duration.ofNanos(20_000);

    private static volatile boolean done;
    /** What the reads added up to, kept so that no compiler finds the reads unused. */
    private static volatile long sink;

    private ConsumerWarmUp() {}

    /** Runs the warm-up unless this process ran it already. */
    static void ensure() {
        if (done) return;
        synchronized (ConsumerWarmUp.class) {
            if (done) return;
            sink = run();
            done = true;
        }
    }

    /** {@return the sum of the first words of the records read} (a test checks it) */
    static long run() {
        ScratchRing scratch = ScratchRing.create();
        long sum = 0;
        try (SharedRing ring = new SharedRing(scratch.region());
             RingConsumer consumer = new RingConsumer(ring, new RingReader(scratch.region(), 0))) {
            for (int round = 0; round < ROUNDS; round++) {
                int discarded = round % 16 == 1 ? 1 : 0;
                boolean busy = round % 4 == 2;
                scratch.burst(discarded, busy);
                int left = ScratchRing.BURST - discarded;
                while (left > 0) {
                    if (left == 1 && busy) {
                        // a record a BPF program has reserved and not yet submitted: nothing to read until it does
                        if (consumer.next() != null || consumer.next(NO_WAIT) != null) throw notAsWritten();
                        scratch.commitBusy();
                    }
                    sum += readOne(consumer, round & 3);
                    left--;
                }
                // an empty ring: looked at, and waited on (a scratch ring's wait only spins)
                if (consumer.next() != null || consumer.poll() != null || consumer.drain(p -> {}, 1) != 0) {
                    throw notAsWritten();
                }
                if (round % 32 == 3 && consumer.next(SHORT_WAIT) != null) throw notAsWritten();
            }
        }
        return sum;
    }

    /**
     * Reads one record, one of the four ways an application does: {@code next} with a timeout, {@code next}, a copy
     * with {@code poll}, {@code drain}.
     *
     * @return the record's first word
     */
    private static long readOne(RingConsumer consumer, int how) {
        switch (how) {
            case 0 -> {
                RingRecord r = consumer.next(LONG_WAIT);
                return take(r);
            }
            case 1 -> {
                RingRecord r = consumer.next();
                return take(r);
            }
            case 2 -> {
                byte[] copy = consumer.poll(LONG_WAIT);
                if (copy == null || copy.length != ScratchRing.LENGTH) throw notAsWritten();
                return MemorySegment.ofArray(copy).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            }
            default -> {
                long[] first = new long[1];
                if (consumer.drain(p -> first[0] = p.get(ValueLayout.JAVA_LONG_UNALIGNED, 0), 1) != 1) {
                    throw notAsWritten();
                }
                return first[0];
            }
        }
    }

    private static long take(RingRecord r) {
        if (r == null || r.length() != ScratchRing.LENGTH) throw notAsWritten();
        try {
            return r.payload().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
        } finally {
            r.release();
        }
    }

    private static IllegalStateException notAsWritten() {
        return new IllegalStateException("the consumer warm-up read its scratch ring otherwise than it wrote it");
    }
}
