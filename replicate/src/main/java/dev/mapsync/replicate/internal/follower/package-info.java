/**
 * The follower's loop: the live stream when in step, a replay of the leader's recording when not, and the replica
 * written from whichever delivers the next message in order (docs/FORMAT.md §12.4).
 */
package dev.mapsync.replicate.internal.follower;
