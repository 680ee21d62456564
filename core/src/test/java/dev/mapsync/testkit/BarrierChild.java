package dev.mapsync.testkit;

import dev.mapsync.BarrierSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.SharedBarrier;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A child that is one party of a barrier: it awaits {@code rounds} generations, checking that each await returns
 * the next generation number, prints {@code generations=N mismatches=M}, then either awaits once more
 * ({@code then-await}: prints {@code waiting}, then the outcome as {@code ExceptionClass: message} or
 * {@code tripped G}) or hangs ({@code then-hang}: prints {@code hanging} and sleeps until killed).
 * Arguments: dir name parties rounds mode.
 */
public final class BarrierChild {
    public static void main(String[] args) throws InterruptedException {
        BarrierSpec spec = MapSpec.barrier(args[1], Integer.parseInt(args[2])).dir(Path.of(args[0]));
        int rounds = Integer.parseInt(args[3]);
        try (SharedBarrier barrier = SharedBarrier.open(spec)) {
            int mismatches = 0;
            for (int g = 0; g < rounds; g++) {
                if (barrier.await(Duration.ofSeconds(60)) != g) mismatches++;
            }
            System.out.println("generations=" + rounds + " mismatches=" + mismatches);
            if (args[4].equals("then-hang")) {
                System.out.println("hanging");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            System.out.println("waiting");
            System.out.flush();
            try {
                System.out.println("tripped " + barrier.await(Duration.ofSeconds(60)));
            } catch (MapSyncException e) {
                System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
