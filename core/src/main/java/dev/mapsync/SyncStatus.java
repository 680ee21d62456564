package dev.mapsync;

/**
 * The health of a map's synchronization at one moment, for monitoring ({@code mapsync export}, {@code mapsync top}):
 * {@link SharedArray#syncStatus()}, {@link SharedHashMap#syncStatus()}. An immutable value.
 *
 * @param lastChangeSeq      the sequence number of the last change recorded in the change log (0 when none; changes
 *                           are recorded only while someone subscribes)
 * @param subscribers        open subscriptions, of every process
 * @param sleepingWaiters    threads sleeping on the change log now
 * @param locksHeld          locks held now (entry stripes and the map-wide lock)
 * @param locksOfDeadOwners  of those, locks whose owner died (the next process to ask takes them over)
 * @param tornEntries        entries left half-written by a writer that died, unreadable until rewritten
 * @param missedChanges      changes that subscribers were told they missed (their cursor fell further behind than the
 *                           change log holds), summed over every subscription of every process since the map was made
 */
public record SyncStatus(long lastChangeSeq, int subscribers, int sleepingWaiters, int locksHeld,
                         int locksOfDeadOwners, int tornEntries, long missedChanges) {
}
