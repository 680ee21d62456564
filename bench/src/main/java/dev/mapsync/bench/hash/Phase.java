package dev.mapsync.bench.hash;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * One timed phase of one worker thread: {@code ops} gets (or puts) of uniformly random keys of {@code 0..entries-1},
 * each timed into an HdrHistogram with {@code System.nanoTime()} (whose cost is in every figure).
 */
record Phase(String op, long ops, long elapsedNanos, Histogram latencies) {
    static final long MAX_NANOS = 60_000_000_000L;

    static Phase run(Store store, String op, long ops, int entries, long seed) {
        Histogram h = new Histogram(MAX_NANOS, 3);
        SplittableRandom random = new SplittableRandom(seed);
        long sink = 0;
        long start = System.nanoTime();
        if (op.equals("get")) {
            for (long i = 0; i < ops; i++) {
                long key = random.nextInt(entries);
                long t0 = System.nanoTime();
                Long v = store.get(key);
                long t1 = System.nanoTime();
                sink += v == null ? 0 : v;
                h.recordValue(Math.min(MAX_NANOS, t1 - t0));
            }
        } else {
            for (long i = 0; i < ops; i++) {
                long key = random.nextInt(entries);
                long value = random.nextLong();
                long t0 = System.nanoTime();
                store.put(key, value);
                long t1 = System.nanoTime();
                h.recordValue(Math.min(MAX_NANOS, t1 - t0));
            }
        }
        long elapsed = System.nanoTime() - start;
        if (sink == 42) System.out.print(""); // keeps the gets from being optimised away
        return new Phase(op, ops, elapsed, h);
    }

    /** {@code op ops elapsed histogram} on one line, the histogram compressed and in base64. */
    String encode() {
        ByteBuffer b = ByteBuffer.allocate(latencies.getNeededByteBufferCapacity());
        latencies.encodeIntoCompressedByteBuffer(b);
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return op + " " + ops + " " + elapsedNanos + " " + Base64.getEncoder().encodeToString(bytes);
    }

    static Phase decode(String line) {
        String[] f = line.strip().split(" ");
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(f[3])), 0);
            return new Phase(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), h);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException("a worker's histogram does not decode: " + e, e);
        }
    }
}
