/**
 * Cross-process barriers of N parties with generations: the layout of a barrier's control region
 * ({@link dev.mapsync.internal.barrier.BarrierLayout}), arriving, waiting, breaking when a party dies, times out or is
 * interrupted, and resetting ({@link dev.mapsync.internal.barrier.BarrierProtocol}), and creating and opening barrier
 * files (shm only). Protocol: docs/FORMAT.md §9 Barriers (map type 4). It may use {@code notify} and everything below
 * it, but not {@code ring} or {@code hash}.
 */
package dev.mapsync.internal.barrier;
