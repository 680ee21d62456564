/**
 * Consistent reads through sequence words: a writer holding a stripe's lock makes the stripe's sequence odd, writes,
 * and makes it even; a reader copies a value between two loads of the sequence and never returns it torn, even when
 * its writer died mid-write ({@link dev.mapsync.internal.seq.SeqLocks}). Protocol: docs/FORMAT.md §4.2 Lock records,
 * the paragraphs on writing and reading a value wider than one scalar. It may use {@code lock} and what it may use
 * ({@code events}: a torn entry repaired).
 */
package dev.mapsync.internal.seq;
