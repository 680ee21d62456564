package dev.mapsync.cli.chaos;

import dev.mapsync.Backend;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Pause hooks for a restarted worker, so that some kills land inside a write, which a kill at a random moment
 * rarely hits (a write lasts nanoseconds). They are the library's own test hooks, system properties read by the core:
 * the process stops at the chosen point, prints that it paused, and waits; the coordinator sees the line and kills
 * it there.
 * <ul>
 * <li>{@code mapsync.test.pauseWritingIndex=I}: inside the first write of array entry I (its stripe's sequence odd):
 *     for a transfer worker an account or a journal (its own, or another's it resolves), for a record writer an
 *     entry;</li>
 * <li>{@code mapsync.test.pauseHashWindow=N}: inside the N-th hash write window the process opens (its segment's
 *     sequence odd, the journal written; on bpf, between the lookup and the update under the stripe lock);</li>
 * <li>{@code mapsync.test.pauseInReserveAt=N[:header]}: inside the ring's reserve lock at the N-th claim, after the
 *     producer position moved (the record is claimed, never committed) or, with {@code :header}, before.</li>
 * </ul>
 * Barrier parties and producers on a kernel ring have no write of their own to stop in.
 */
final class Hooks {
    private Hooks() {}

    static List<String> forSlot(int slot, Setup setup, SplittableRandom random) {
        return switch (Kind.ofSlot(slot, setup.processes())) {
            case TRANSFER -> List.of("-Dmapsync.test.pauseWritingIndex="
                    + random.nextInt(Ledger.ACCOUNTS + setup.processes()));
            case RECORD -> List.of("-Dmapsync.test.pauseWritingIndex=" + random.nextInt(Stamp.ENTRIES));
            case HASH -> List.of("-Dmapsync.test.pauseHashWindow=" + random.nextInt(1, 200));
            case PRODUCER -> setup.backend() == Backend.SHM
                    ? List.of("-Dmapsync.test.pauseInReserveAt=" + random.nextInt(200)
                            + (random.nextBoolean() ? ":header" : ""))
                    : List.of();
            case PARTY -> List.of();
        };
    }
}
