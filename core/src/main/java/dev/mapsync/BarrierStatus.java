package dev.mapsync;

import java.util.List;
import java.util.Optional;

/**
 * A barrier's state at one moment ({@link SharedBarrier#status()}). An immutable value.
 *
 * @param name         the barrier's name
 * @param parties      how many parties trip it
 * @param generation   the current generation: how many times it tripped or was reset
 * @param arrived      parties that arrived in the current generation and wait
 * @param broken       true when the current generation broke
 * @param brokenReason why, when it is broken: who died, timed out or was interrupted
 * @param seated       the processes that are parties (they took a seat at their first await)
 */
public record BarrierStatus(String name, int parties, long generation, int arrived, boolean broken,
                            Optional<String> brokenReason, List<Party> seated) {
    /**
     * Keeps a copy of {@code seated}, so that the status stays as it was read.
     *
     * @param name         the barrier's name
     * @param parties      how many parties trip it
     * @param generation   the current generation
     * @param arrived      parties that arrived in the current generation and wait
     * @param broken       true when the current generation broke
     * @param brokenReason why, when it is broken
     * @param seated       the processes that are parties
     */
    public BarrierStatus {
        seated = List.copyOf(seated);
    }

    /**
     * A process seated at the barrier. An immutable value.
     *
     * @param seat  its seat number
     * @param pid   its pid, in its own pid namespace
     * @param alive false when its handle is gone (it died, or closed the barrier without leaving)
     */
    public record Party(int seat, int pid, boolean alive) {}
}
