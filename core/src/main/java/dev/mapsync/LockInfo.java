package dev.mapsync;

import java.time.Instant;
import java.util.Optional;

/**
 * A held lock, as {@code mapsync locks} shows it ({@link SharedArray#locks()}, {@link SharedHashMap#locks()}). An
 * immutable value.
 *
 * @param stripe          the stripe, or -1 for the map-wide lock
 * @param ownerPid        the owner's pid, in its own pid namespace
 * @param ownerAlive      true if the owner's map handle is still open (checked through the kernel, not the pid); a
 *                        handle that may not open the map's liveness file (a reader of a map it may not write) judges
 *                        from the owner's recorded pid and start time instead, and takes an owner in another pid
 *                        namespace ({@code sameNamespace} false) for alive, since it cannot tell
 * @param sameNamespace   true if the owner's pid is in this process's pid namespace
 * @param ownerThreadId   the Java thread id that took the lock
 * @param heldSince       since when the lock is held, when known (uncontended acquisitions record no time, since a
 *                        clock read would double their cost; the first waiter records when it found the lock held)
 * @param recovered       true if the owner took the lock over from a dead owner
 * @param tornEntries     entries of the stripe left half-written by a dead writer, unreadable until rewritten
 */
public record LockInfo(int stripe, int ownerPid, boolean ownerAlive, boolean sameNamespace, long ownerThreadId,
                       Optional<Instant> heldSince, boolean recovered, java.util.List<Integer> tornEntries) {
    /**
     * Keeps a copy of {@code tornEntries}, so that the value stays as it was read.
     *
     * @param stripe        the stripe, or -1 for the map-wide lock
     * @param ownerPid      the owner's pid, in its own pid namespace
     * @param ownerAlive    true if the owner's map handle is still open
     * @param sameNamespace true if the owner's pid is in this process's pid namespace
     * @param ownerThreadId the Java thread id that took the lock
     * @param heldSince     since when the lock is held, when known
     * @param recovered     true if the owner took the lock over from a dead owner
     * @param tornEntries   entries of the stripe left half-written by a dead writer
     */
    public LockInfo {
        tornEntries = java.util.List.copyOf(tornEntries);
    }
}
