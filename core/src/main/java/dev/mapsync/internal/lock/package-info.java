/**
 * Robust cross-process locks: process slots that tell whether a lock's owner still lives
 * ({@link dev.mapsync.internal.lock.ProcessSlots}), the 64-byte lock records
 * ({@link dev.mapsync.internal.lock.LockRecord}) with their torn lists, the locks of a map handle that a waiter takes
 * over from a dead owner ({@link dev.mapsync.internal.lock.EntryLocks}), and the guard of held locks. Protocol:
 * docs/FORMAT.md §4.1 Process slots: who has the map open, and do they live, and §4.2 Lock records. It may use
 * {@code store}, {@code wait} and what they may use, and {@code events} (a long wait, a takeover).
 */
package dev.mapsync.internal.lock;
