package dev.mapsync.bench.cross;

import dev.mapsync.MapSpec;
import dev.mapsync.RingConsumer;
import dev.mapsync.RingRecord;
import dev.mapsync.SharedRing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * mapsync's side of {@link KernelRingBench}: a fresh JVM that, as an application does, opens the kernel ring pinned at
 * its first argument (its sidecar in the folder of the second), becomes its consumer and says "ready". Then, for each
 * number N it reads from stdin, it takes N records (within 60 s) and prints {@code received=N ns=T}, T nanoseconds
 * from the first record to the last: with {@link RingConsumer#next(Duration)}, releasing each, or, when the third
 * argument is {@code drain}, in batches of up to 1,024 with {@link RingConsumer#drain}.
 */
public final class KernelRingConsumerChild {
    public static void main(String[] args) throws IOException {
        boolean drain = args.length > 2 && args[2].equals("drain");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (SharedRing ring = SharedRing.open(MapSpec.pinnedRing(Path.of(args[0])).dir(Path.of(args[1])));
             RingConsumer consumer = ring.consumer()) {
            System.out.println("ready");
            System.out.flush();
            for (String line; (line = in.readLine()) != null; ) {
                long expected = Long.parseLong(line.trim());
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                long received = 0, first = 0;
                while (received < expected && System.nanoTime() - deadline < 0) {
                    if (drain) {
                        int n = consumer.drain(payload -> { }, 1024);
                        if (n > 0 && received == 0) first = System.nanoTime();
                        received += n;
                        continue;
                    }
                    RingRecord r = consumer.next(Duration.ofMillis(100));
                    if (r == null) continue;
                    r.release();
                    if (received++ == 0) first = System.nanoTime();
                }
                long last = System.nanoTime();
                System.out.println("received=" + received + " ns=" + (received > 0 ? last - first : 0));
                System.out.flush();
            }
        }
    }
}
