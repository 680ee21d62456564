/**
 * Threads of one process sharing one handle: many platform or virtual threads taking one entry lock, against
 * {@link java.util.concurrent.locks.ReentrantLock} taken the same way.
 */
package dev.mapsync.bench.threads;
