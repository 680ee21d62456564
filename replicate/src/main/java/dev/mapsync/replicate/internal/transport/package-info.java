/**
 * Aeron underneath replication: the leader's media driver and archive with the recorded publication
 * ({@link dev.mapsync.replicate.internal.transport.LeaderNode}), the follower's media driver, live subscription and
 * replays ({@link dev.mapsync.replicate.internal.transport.FollowerNode}), and the channels both agree on
 * ({@link dev.mapsync.replicate.internal.transport.Endpoint}). Knows nothing of maps.
 */
package dev.mapsync.replicate.internal.transport;
