package dev.mapsync.cli.demo;

import dev.mapsync.BarrierSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedMaps;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The barrier a demo phase ends on: every process of the phase (its workers and the coordinator) takes a seat when
 * it starts, arrives when its part is done, and none leaves before all have come. A worker that dies breaks the
 * barrier for the others instead of leaving them waiting.
 */
public final class PhaseEnd implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final SharedBarrier barrier;
    private final BarrierSpec spec;
    private final boolean owner;

    private PhaseEnd(SharedBarrier barrier, BarrierSpec spec, boolean owner) {
        this.barrier = barrier;
        this.spec = spec;
        this.owner = owner;
        barrier.join();
    }

    static BarrierSpec spec(String phase, Path dir, int parties) {
        BarrierSpec spec = MapSpec.barrier(phase + "-end", parties);
        return dir == null ? spec : spec.dir(dir);
    }

    /** Coordinator side: makes the barrier of a phase of {@code workers} worker processes (and itself), and joins. */
    static PhaseEnd create(String phase, Path dir, int workers) {
        BarrierSpec spec = spec(phase, dir, workers + 1);
        return new PhaseEnd(SharedBarrier.create(spec), spec, true);
    }

    /** Worker side: joins the barrier of the phase; {@link #arrive()} when the work is done. */
    public static PhaseEnd join(String phase, Path dir, int workers) {
        BarrierSpec spec = spec(phase, dir, workers + 1);
        return new PhaseEnd(SharedBarrier.open(spec), spec, false);
    }

    /** Worker side: arrives and waits for everyone else. */
    public void arrive() {
        barrier.await(TIMEOUT);
    }

    /** How the end of a phase went: whether everyone met, and the report line that says so. */
    record Outcome(boolean ok, String line) {}

    /** Coordinator side: arrives and waits for the workers, at most {@code left} (and {@link #TIMEOUT}). */
    Outcome await(Duration left) {
        try {
            long generation = barrier.await(left.compareTo(TIMEOUT) < 0 ? left : TIMEOUT);
            return new Outcome(true, String.format("  barrier        %d processes met at the end of the phase (generation %d)",
                    barrier.parties(), generation));
        } catch (MapSyncException e) {
            return new Outcome(false, "  FAILED: the phase's end barrier: " + e.getMessage());
        }
    }

    /** Closes the barrier; the coordinator deletes it too. */
    @Override
    public void close() {
        barrier.close();
        if (owner) SharedMaps.delete(MapSpec.existing(spec.name()).dir(spec.dir()));
    }
}
