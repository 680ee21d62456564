/**
 * Sharded counters: the layout of a counter map ({@link dev.mapsync.internal.counter.CounterLayout}: one block of
 * cells per process slot, each block on cache lines of its own), adding into the cell of the handle's own slot and
 * summing the cells of the slots that were ever used ({@link dev.mapsync.internal.counter.CounterCells}), and creating
 * and opening counter files, shm only ({@link dev.mapsync.internal.counter.CounterKind}). Format: docs/FORMAT.md
 * §11 Counters (map type 5). It may use {@code lock} (process slots) and everything below it, but not {@code ring},
 * {@code hash} or {@code barrier}.
 */
package dev.mapsync.internal.counter;
