/**
 * Read replicas of mapsync maps on other hosts: a {@link dev.mapsync.replicate.Leader} publishes a map's changes over
 * Aeron, recorded by Aeron Archive; a {@link dev.mapsync.replicate.Follower} keeps a local replica in step, catching
 * up from the recording; {@link dev.mapsync.replicate.ReplicationStatus} says where either stands. The wire format
 * and the status file are in docs/FORMAT.md §12.
 */
package dev.mapsync.replicate;
