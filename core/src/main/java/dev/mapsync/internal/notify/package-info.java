/**
 * Change notifications: a map's change log, an event count that sleepers wait on and a bounded ring of the latest
 * changes ({@link dev.mapsync.internal.notify.ChangeLog}); the reading side that hands changes out in order and counts
 * the ones it missed ({@link dev.mapsync.internal.notify.LogPoller}); the polling watcher that sees writes the log
 * cannot ({@link dev.mapsync.internal.notify.SnapshotDiff}); and the thread behind a subscription. Protocol:
 * docs/FORMAT.md §4.3 Change notifications: event block, changelog, slot counters. It may use {@code seq} and what it
 * may use.
 */
package dev.mapsync.internal.notify;
