package dev.mapsync.replicate.internal.map;

import dev.mapsync.Codec;
import dev.mapsync.Schema;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A value (or key) as its bytes, under its map's own schema: what replication copies, so that a replica holds the
 * leader's bytes exactly (no decoding, nothing a codec would normalise or refuse). Immutable and thread-safe.
 *
 * @param schema the map's schema
 */
record RawCodec(Schema schema) implements Codec<byte[]> {
    @Override
    public byte[] read(MemorySegment segment, long offset) {
        byte[] bytes = new byte[schema.size()];
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset, bytes, 0, bytes.length);
        return bytes;
    }

    @Override
    public void write(MemorySegment segment, long offset, byte[] value) {
        if (value.length != schema.size()) {
            throw new IllegalArgumentException(value.length + " bytes for a value of " + schema.size());
        }
        MemorySegment.copy(value, 0, segment, ValueLayout.JAVA_BYTE, offset, value.length);
    }
}
