/**
 * The replication stream's messages: one per Aeron message, little-endian, laid out once in {@link
 * dev.mapsync.replicate.internal.wire.Message} and in docs/FORMAT.md §12.2. Knows nothing of Aeron or of maps beyond
 * their bytes.
 */
package dev.mapsync.replicate.internal.wire;
