package dev.mapsync.cli.chaos;

/**
 * A 64-bit mixer (splitmix64's finaliser) for the values the soak writes: every field of a value is a function of a
 * few numbers, so a reader can tell a whole value from one made of two writes' halves.
 */
final class Mix {
    private Mix() {}

    static long of(long a, long b) {
        return mix(mix(a ^ 0x9E3779B97F4A7C15L) ^ b);
    }

    static long of(long a, long b, long c) {
        return mix(of(a, b) ^ c);
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
