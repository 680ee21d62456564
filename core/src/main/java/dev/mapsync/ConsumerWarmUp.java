package dev.mapsync;

import dev.mapsync.internal.ring.RingReader;
import dev.mapsync.internal.ring.ScratchRing;

import java.lang.foreign.MemorySegment;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Prepares a process to consume kernel rings before its first consumer of one takes the role: it runs the consumer's
 * code ({@link RingConsumer} and its reader, every way an application reads) over a {@link ScratchRing} in this
 * process's own memory, tens of thousands of records in bursts, with discarded records, a record left BUSY, an empty
 * ring and a wait, so that the JIT has compiled what a burst runs, and has seen every branch it takes, before a
 * BPF program's burst arrives. A BPF program does not wait for its consumer: without this, a JVM that has just
 * started reads its first few thousand records in the interpreter, and the kernel drops a burst that libbpf's
 * consumer keeps up with. It then waits (up to a second) for the compiler threads to finish what it gave them, and
 * has the heap collected. Runs once a process, a few tenths of a second; later consumers find it done.
 */
final class ConsumerWarmUp {
    /** Bursts to read: enough invocations of the per-record methods for the optimizing compiler to take them. */
    private static final int ROUNDS = 600;
    private static final Duration NO_WAIT = Duration.ZERO;
    private static final Duration LONG_WAIT = Duration.ofSeconds(1);
    private static final Duration SHORT_WAIT = Duration.ofNanos(20_000);

    private static final long SETTLE_MAX_NANOS = 1_000_000_000L;
    private static final long SETTLE_LOOK_NANOS = 10_000_000L;
    /** Looks in a row that saw no compilation end: one of the optimizing compiler's can take tens of milliseconds. */
    private static final int SETTLED_LOOKS = 10;

    /** The ways of reading that {@link #read} takes turns with. */
    private static final int WAYS = 5;
    /** Records a drain call of the warm-up takes, at most. */
    private static final int DRAIN_BATCH = 8;
    /** Where the drain handlers add the records' first words (one thread runs the warm-up). */
    private static final AtomicLong DRAINED = new AtomicLong();
    /**
     * The drain handler: one class, so that {@code drain}'s call of it is compiled for one or two classes (this and the
     * application's), which the JIT inlines, and the record's view is then never made. Handlers of more classes were
     * measured: the call is then never inlined and {@code drain} takes a backlog five times slower.
     */
    private static final Consumer<MemorySegment> HANDLER =
            p -> DRAINED.addAndGet(p.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));

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
            awaitCompilers();
            // the warm-up's garbage is collected now rather than during the first bursts: a young collection pause
            // here (17 to 41 ms) is longer than a 64 KiB ring holds a train of bursts
            System.gc();
            done = true;
        }
    }

    /**
     * Waits, at most {@link #SETTLE_MAX_NANOS}, until the JIT's compiler threads have compiled what the warm-up made
     * hot: a compiler thread still at work when a burst comes takes a core from the consumer, on a small machine the
     * only one left beside the producer. Settled once the JVM's compilation time stood still for a few looks.
     */
    private static void awaitCompilers() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long deadline = System.nanoTime() + SETTLE_MAX_NANOS;
        long seen = jit.getTotalCompilationTime();
        for (int still = 0; still < SETTLED_LOOKS && System.nanoTime() - deadline < 0; ) {
            LockSupport.parkNanos(SETTLE_LOOK_NANOS);
            long now = jit.getTotalCompilationTime();
            still = now == seen ? still + 1 : 0;
            seen = now;
        }
    }

    /** {@return the sum of the first words of the records read} (a test checks it) */
    static long run() {
        ScratchRing scratch = ScratchRing.create();
        long sum = 0;
        try (SharedRing ring = new SharedRing(scratch.region(), MapSpec.DEFAULT_LOCK_TIMEOUT);
             RingConsumer consumer = new RingConsumer(ring, new RingReader(scratch.region(), 0))) {
            int call = 0;
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
                        busy = false;
                    }
                    // every way in turn, so that each is called often enough to be compiled, drain in short batches
                    int readable = busy ? left - 1 : left;
                    long[] firstWords = new long[1];
                    left -= read(consumer, call++ % WAYS, Math.min(readable, DRAIN_BATCH), firstWords);
                    sum += firstWords[0];
                }
                // an empty ring: looked at
                if (consumer.next() != null || consumer.poll() != null || consumer.drain(HANDLER, 1) != 0) {
                    throw notAsWritten();
                }
                // and waited on, as a consumer between bursts waits (here only spinning, until the short timeout)
                if (consumer.next(SHORT_WAIT) != null || consumer.drain(HANDLER, 1, SHORT_WAIT) != 0) {
                    throw notAsWritten();
                }
            }
        }
        return sum;
    }

    /**
     * Reads records one of the {@link #WAYS} ways an application does: one with {@code next} and a timeout, one with
     * {@code next}, a copy of one with {@code poll}, or {@code limit} with {@code drain} (a batch), without or with a
     * timeout.
     *
     * @param firstWords gets the sum of the records' first words
     * @return the records read
     */
    private static int read(RingConsumer consumer, int how, int limit, long[] firstWords) {
        switch (how) {
            case 0 -> firstWords[0] = take(consumer.next(LONG_WAIT));
            case 1 -> firstWords[0] = take(consumer.next());
            case 2 -> {
                byte[] copy = consumer.poll(LONG_WAIT);
                if (copy == null || copy.length != ScratchRing.LENGTH) throw notAsWritten();
                firstWords[0] = MemorySegment.ofArray(copy).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            }
            default -> {
                DRAINED.set(0);
                int n = how == 3 ? consumer.drain(HANDLER, limit) : consumer.drain(HANDLER, limit, LONG_WAIT);
                if (n != limit) throw notAsWritten();
                firstWords[0] = DRAINED.get();
                return n;
            }
        }
        return 1;
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
