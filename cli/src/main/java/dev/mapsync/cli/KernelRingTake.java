package dev.mapsync.cli;

import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code mapsync queue take} of a kernel ring: a thread of its own moves each record out of the ring into this
 * process's memory as soon as it is committed, and the command's thread prints the records from there, flushing the
 * output whenever it has printed all it was given. A BPF program does not wait for its consumer, so the ring has to
 * be emptied as fast as records come, whatever printing costs (JSON, a slow pipe, a JVM whose formatting code is not
 * compiled yet): the output only lags, and the kernel drops nothing that libbpf's consumer would have kept.
 *
 * <p>At most {@link #MAX_BUFFERED_BYTES} wait in memory; past that the taking thread waits for the printer, and the
 * kernel ring fills as it would for any consumer that cannot keep up. Records taken and not yet printed are printed
 * before the process ends on an interrupt (SIGINT, SIGTERM), within {@link #PRINT_REST_ON_EXIT}. Used by one thread.
 */
final class KernelRingTake {
    /** Records taken and not yet printed, in bytes of payload, at most. */
    private static final long MAX_BUFFERED_BYTES = 64L << 20;
    /** Records handed to the printer together, at most. */
    private static final int BATCH = 256;
    /** How long the taking thread waits at a time, so that it sees a stop request. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Duration PRINT_REST_ON_EXIT = Duration.ofSeconds(2);

    private record Taken(long position, byte[] payload) {}

    private final RingConsumer consumer;
    private final long limit;
    /** When taking ends ({@link System#nanoTime()}). */
    private final long deadline;
    private final boolean follow;
    private final LinkedBlockingQueue<List<Taken>> batches = new LinkedBlockingQueue<>();
    private final AtomicLong buffered = new AtomicLong();
    private final CountDownLatch printed = new CountDownLatch(1);
    private volatile boolean stop;
    /** Set by the taking thread after its last batch was handed over. */
    private volatile boolean finished;
    private volatile RuntimeException failure;

    /**
     * @param limit    the most records to take
     * @param deadline when to stop waiting for more ({@link System#nanoTime()})
     * @param follow   end when the output's reader goes away, even while no record comes
     */
    KernelRingTake(RingConsumer consumer, long limit, long deadline, boolean follow) {
        this.consumer = consumer;
        this.limit = limit;
        this.deadline = deadline;
        this.follow = follow;
    }

    /**
     * Takes and prints the records, one line each.
     *
     * @return how many were printed, or -1 if a write failed or (following) the output's reader went away (the
     *         records taken and not printed are lost then: the kernel's ring cannot wait for its reader)
     * @throws RuntimeException what taking or formatting a record threw (a corrupt ring), after printing those before
     */
    long run(RecordLines lines, PrintWriter out) {
        Thread hook = new Thread(this::printRestOnExit, "mapsync-take-exit");
        Runtime.getRuntime().addShutdownHook(hook);
        Thread taker = Thread.ofPlatform().name("mapsync-take").daemon().start(this::take);
        long count = 0;
        boolean readerGone = false;
        try {
            while (true) {
                List<Taken> batch = batches.poll();
                if (batch == null) {
                    out.flush(); // printed all that was taken: show it now
                    if (out.checkError()) break;
                    batch = finished ? batches.poll() : poll();
                    if (batch == null) {
                        if (finished) break;
                        // a reader that went away (head) while none came ends the follow and frees the consumer role
                        readerGone = follow && StandardOutput.readerGone();
                        if (readerGone) break;
                        continue;
                    }
                }
                long bytes = 0;
                for (Taken t : batch) {
                    out.write(lines.line(t.position(), MemorySegment.ofArray(t.payload())));
                    out.write('\n');
                    bytes += t.payload().length;
                }
                count += batch.size();
                buffered.addAndGet(-bytes);
                if (out.checkError()) break; // the reader went away (e.g. head): flushing tells
            }
        } finally {
            stop = true;
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // the process is ending: the hook is running, and has just been let go
            }
            joinQuietly(taker);
        }
        if (failure != null) throw failure;
        return readerGone || out.checkError() ? -1 : count;
    }

    private List<Taken> poll() {
        try {
            return batches.poll(SLICE_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
            return null;
        }
    }

    /** The taking thread: moves records out of the ring until the limit, the deadline or a stop. */
    private void take() {
        List<Taken> batch = new ArrayList<>(BATCH);
        long taken = 0;
        try {
            // a follow ends at its deadline, records still coming or not; a take takes what is there past it
            while (!stop && taken < limit && !(follow && deadline - System.nanoTime() <= 0)) {
                RingRecord r = consumer.next();
                if (r == null) {
                    batch = handOver(batch);
                    long wait = Math.min(SLICE_NANOS, deadline - System.nanoTime());
                    if (wait <= 0) break;
                    r = consumer.next(Duration.ofNanos(wait));
                    if (r == null) continue;
                }
                batch.add(copy(r));
                taken++;
                if (batch.size() == BATCH) batch = handOver(batch);
                while (buffered.get() > MAX_BUFFERED_BYTES && !stop) LockSupport.parkNanos(1_000_000);
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            handOver(batch);
            finished = true;
        }
    }

    private static Taken copy(RingRecord r) {
        try {
            return new Taken(r.position(), r.toArray());
        } finally {
            r.release();
        }
    }

    /** Hands the batch to the printer, counting its bytes as buffered once for the batch. */
    private List<Taken> handOver(List<Taken> batch) {
        if (batch.isEmpty()) return batch;
        long bytes = 0;
        for (Taken t : batch) bytes += t.payload().length;
        buffered.addAndGet(bytes);
        batches.add(batch);
        return new ArrayList<>(BATCH);
    }

    /** On an interrupt: stops taking and lets the printer print what was taken, for a while. */
    private void printRestOnExit() {
        stop = true;
        try {
            printed.await(PRINT_REST_ON_EXIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.NANOSECONDS.toMillis(SLICE_NANOS) * 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
