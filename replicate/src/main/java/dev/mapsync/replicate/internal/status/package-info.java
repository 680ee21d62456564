/**
 * The status file a leader or follower keeps beside its map, {@code <map file>.replication} (docs/FORMAT.md §12.1):
 * what {@code mapsync replicate status} and the exporters read, and for a follower the point it resumes from after a
 * restart.
 */
package dev.mapsync.replicate.internal.status;
