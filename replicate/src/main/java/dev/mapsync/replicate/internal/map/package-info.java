/**
 * The two ends of a replicated map: the leader's {@link dev.mapsync.replicate.internal.map.MapSource}, which reads
 * changed entries and snapshots as bytes, and the follower's {@link dev.mapsync.replicate.internal.map.Replica},
 * which writes them into the local replica. Values travel as their bytes ({@link
 * dev.mapsync.replicate.internal.map.RawCodec}), so a replica holds exactly the leader's bytes, whatever the schema.
 */
package dev.mapsync.replicate.internal.map;
