/**
 * What a leader's and a follower's loops have in common: a thread of their own that a close stops and waits for.
 */
package dev.mapsync.replicate.internal.loop;
