/**
 * The leader's loop: a map's changes, snapshots and heartbeats into the recorded live stream (docs/FORMAT.md §12.3).
 */
package dev.mapsync.replicate.internal.leader;
