package dev.mapsync.internal.hash;

import dev.mapsync.internal.sys.Layouts;

import java.lang.foreign.MemorySegment;

/**
 * The hash of a key's bytes, and where it puts the key. It is part of the file format (C code must compute the same
 * numbers to find a key), so it is spelled out here and in docs/FORMAT.md, and never changes:
 * <pre>
 * h = seed ^ (keySize * 0x9E3779B97F4A7C15)
 * for each 8-byte little-endian word w of the key (the last one padded with zero bytes):
 *     h = rotl64(h ^ (w * 0xBF58476D1CE4E5B9), 31) * 0x94D049BB133111EB
 * h = fmix64(h)            (MurmurHash3's finalizer: ^= h >> 33; *= 0xFF51AFD7ED558CCD; ^= h >> 33;
 *                          *= 0xC4CEB9FE1A85EC53; ^= h >> 33)
 * segment = ((h >> 32) * segments) >> 32            (unsigned 32 x 32 -> 64 multiplication)
 * home    = ((h &amp; 0xFFFFFFFF) * slotsPerSegment) >> 32
 * tag     = (rotl64(h, 21) * 0x9E3779B97F4A7C15) >> 34   (unsigned: the top 30 bits)
 * </pre>
 */
public final class KeyHash {
    private KeyHash() {}

    /** The 64-bit hash of {@code size} bytes of {@code key} at {@code offset}. */
    public static long of(MemorySegment key, long offset, int size, long seed) {
        long h = seed ^ (size * 0x9E3779B97F4A7C15L);
        int i = 0;
        for (; i + 8 <= size; i += 8) h = mix(h, key.get(Layouts.LONG, offset + i));
        if (i < size) {
            long w = 0;
            for (int b = 0; i + b < size; b++) w |= (key.get(Layouts.BYTE, offset + i + b) & 0xFFL) << (8 * b);
            h = mix(h, w);
        }
        return fmix(h);
    }

    private static long mix(long h, long w) {
        return Long.rotateLeft(h ^ (w * 0xBF58476D1CE4E5B9L), 31) * 0x94D049BB133111EBL;
    }

    private static long fmix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /** The segment (or lock stripe) of {@code n} that a hash selects. */
    public static int segment(long hash, int n) {
        return (int) (((hash >>> 32) * n) >>> 32);
    }

    /** The slot of a segment of {@code slots} where probing for the key starts. */
    public static int home(long hash, int slots) {
        return (int) (((hash & 0xFFFF_FFFFL) * slots) >>> 32);
    }

    /** The meta word of an occupied slot holding the key: 30 bits of tag above the state bits. */
    public static int occupiedMeta(long hash) {
        int tag = (int) ((Long.rotateLeft(hash, 21) * 0x9E3779B97F4A7C15L) >>> 34);
        return tag << 2 | dev.mapsync.internal.hash.HashLayout.OCCUPIED;
    }
}
