package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;

import java.nio.file.Path;
import java.time.Duration;

/**
 * One side of a ping-pong through a map's notifications: "ping" writes slot 0 and waits for slot 1 to echo it,
 * "pong" waits for slot 0 and echoes it to slot 1. Each wait may take at most the timeout: a lost wakeup shows as
 * a wait that ran out. Prints {@code rounds=N} or {@code lost wakeup at round R}.
 * Arguments: role dir name backend rounds timeoutMillis.
 */
public final class PingPong {
    public static void main(String[] args) {
        boolean ping = args[0].equals("ping");
        ArraySpec<Long> spec = MapSpec.array(args[2], Codec.i64(), 2).dir(Path.of(args[1])).backend(Backend.valueOf(args[3]));
        long rounds = Long.parseLong(args[4]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[5]));
        int in = ping ? 1 : 0, out = ping ? 0 : 1;
        try (SharedArray<Long> map = SharedArray.open(spec);
             ChangeCursor cursor = map.changes(in, in)) {
            System.out.println("subscribed");
            System.out.flush();
            if (ping) waitFor(map, cursor, 1, -1, timeout); // the pong side says it is there
            else map.longs().set(1, -1);
            for (long r = 1; r <= rounds; r++) {
                if (ping) {
                    map.longs().set(out, r);
                    if (!waitFor(map, cursor, in, r, timeout)) {
                        System.out.println("lost wakeup at round " + r);
                        System.exit(1);
                    }
                } else {
                    if (!waitFor(map, cursor, in, r, timeout)) {
                        System.out.println("lost wakeup at round " + r);
                        System.exit(1);
                    }
                    map.longs().set(out, r);
                }
            }
        }
        System.out.println("rounds=" + rounds);
    }

    /** Waits until slot {@code key} holds {@code value}; every wait for a change is bounded by {@code timeout}. */
    private static boolean waitFor(SharedArray<Long> map, ChangeCursor cursor, int key, long value, Duration timeout) {
        while (map.longs().getVolatile(key) != value) {
            if (cursor.poll(timeout).isEmpty() && map.longs().getVolatile(key) != value) return false;
        }
        return true;
    }
}
