package dev.mapsync.testkit;

import dev.mapsync.MapSpec;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedRing;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A fresh JVM consuming a kernel ring that {@code ring_burst.bpf.c} fills, as an application would: a loop of
 * {@link RingConsumer#next(Duration)}, reading each record's two words and releasing it, or (with {@code drain} as the
 * fifth argument) a loop of {@link RingConsumer#drain(java.util.function.Consumer, int, Duration)} with a handler that
 * reads them. It says "ready" once it holds the consumer role and ends when it got {@code expected} records or
 * {@code timeoutMillis} passed. Arguments: the ring's pin, the folder of its sidecar, expected, timeoutMillis. Last line, as {@code libbpf_ring_consume.c} prints
 * it: {@code received=N first=F last=L disorder=D bad=B}.
 */
public final class BurstConsumer {
    public static void main(String[] args) {
        long expected = Long.parseLong(args[2]);
        long deadline = System.nanoTime() + Duration.ofMillis(Long.parseLong(args[3])).toNanos();
        boolean drain = args.length > 4 && args[4].equals("drain");
        RingBurst.Tally tally = new RingBurst.Tally();
        Consumer<MemorySegment> handler = payload -> add(tally, payload);
        try (SharedRing ring = SharedRing.open(MapSpec.pinnedRing(Path.of(args[0])).dir(Path.of(args[1])));
             RingConsumer consumer = ring.consumer()) {
            System.out.println("ready");
            System.out.flush();
            while (tally.count() < expected) {
                long left = deadline - System.nanoTime();
                if (left <= 0) break;
                if (drain) {
                    consumer.drain(handler, 1024, Duration.ofNanos(left));
                    continue;
                }
                RingRecord r = consumer.next(Duration.ofNanos(left));
                if (r == null) continue;
                add(tally, r.payload());
                r.release();
            }
        }
        System.out.println(tally.received().line());
    }

    private static void add(RingBurst.Tally tally, MemorySegment payload) {
        boolean pair = payload.byteSize() == 16;
        tally.add(pair ? payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) : -1,
                pair ? payload.get(ValueLayout.JAVA_LONG_UNALIGNED, 8) : -1);
    }
}
