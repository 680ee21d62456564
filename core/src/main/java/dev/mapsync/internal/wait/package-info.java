/**
 * Sleeping until a word of shared memory changes, at no CPU cost for any number of threads: platform threads sleep
 * in {@code FUTEX_WAIT}; virtual threads park, and one platform thread per process sleeps in {@code futex_waitv} for
 * them and runs, once per word, the liveness checks their waits depend on. Every lock, change, ring and barrier wait
 * of mapsync sleeps through {@link dev.mapsync.internal.wait.Sleepers}. Thread-safe.
 */
package dev.mapsync.internal.wait;
