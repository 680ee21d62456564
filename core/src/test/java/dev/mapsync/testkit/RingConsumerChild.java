package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedRing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * A child that is a ring's consumer: it says "consuming" once it holds the role, checks that every source's
 * records come with sequence numbers 0, 1, 2, ... (each exactly once, in order), prints "lost=N" each time it skips
 * records of dead producers, and ends when it got {@code expected} records or the ring is sealed and drained.
 * Arguments: dir name backend expected (or -1 to run until sealed) timeoutSeconds.
 * Last line: {@code records=R lost=L discarded=D violations=V counts=source:count,...}.
 */
public final class RingConsumerChild {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Backend backend = Backend.valueOf(args[2]);
        long expected = Long.parseLong(args[3]);
        long deadline = System.nanoTime() + Duration.ofSeconds(Long.parseLong(args[4])).toNanos();
        Map<Integer, Long> next = new TreeMap<>();
        long records = 0, violations = 0, lostSeen = 0;
        try (SharedRing ring = SharedRing.open(RingRecords.existing(dir, args[1], backend));
             RingConsumer consumer = ring.consumer()) {
            System.out.println("consuming");
            System.out.flush();
            while (expected < 0 || records < expected) {
                if (System.nanoTime() - deadline > 0) {
                    System.out.println("timed out");
                    break;
                }
                RingRecord r = consumer.next(Duration.ofMillis(200));
                if (consumer.lost() != lostSeen) {
                    lostSeen = consumer.lost();
                    System.out.println("lost=" + lostSeen);
                    System.out.flush();
                }
                if (r == null) {
                    if (consumer.isDrained()) break;
                    continue;
                }
                int source = RingRecords.source(r.payload());
                long seq = RingRecords.seq(r.payload());
                r.release();
                records++;
                long want = next.getOrDefault(source, 0L);
                if (seq != want && violations++ < 5) {
                    System.out.println("violation: source " + source + " sent " + seq + ", expected " + want);
                }
                next.put(source, seq + 1);
            }
            StringBuilder counts = new StringBuilder();
            next.forEach((s, n) -> counts.append(counts.isEmpty() ? "" : ",").append(s).append(':').append(n));
            System.out.println("records=" + records + " lost=" + consumer.lost() + " discarded=" + consumer.discarded()
                    + " violations=" + violations + " counts=" + counts);
        }
    }
}
