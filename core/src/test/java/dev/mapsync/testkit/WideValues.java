package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.Size;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * Values whose words are always written equal: a value whose words differ was read torn. Two kinds: {@code wide},
 * 64 bytes with an array component (decoded by the general codec), and {@code flat}, a record of four {@code long}s
 * (the compiled codec). Both constructors count the times they were handed words that differ.
 * {@code main} runs as a writer ({@code write kind dir name backend entries stopFile}) or as a reader
 * ({@code read kind dir name backend entries reads}), printing {@code writes=N} or
 * {@code reads=N torn=T tornConstructions=C}.
 */
public final class WideValues {
    /** {@code struct { int64_t words[8]; }} */
    public record Wide(@Size(8) long[] words) {
        public Wide {
            if (!consistent(words)) Flat.TORN_CONSTRUCTIONS.incrementAndGet();
        }

        public static Wide of(long v) {
            return new Wide(new long[]{v, v, v, v, v, v, v, v});
        }

        public boolean consistent() {
            return consistent(words);
        }

        private static boolean consistent(long[] words) {
            for (long w : words) {
                if (w != words[0]) return false;
            }
            return true;
        }
    }

    /** {@code struct { int64_t a, b, c, d; }} */
    public record Flat(long a, long b, long c, long d) {
        /** Constructions from words that differ: a constructor run on a half-written value. */
        static final AtomicLong TORN_CONSTRUCTIONS = new AtomicLong();

        public Flat {
            if (a != b || b != c || c != d) TORN_CONSTRUCTIONS.incrementAndGet();
        }

        static Flat of(long v) {
            return new Flat(v, v, v, v);
        }

        boolean consistent() {
            return a == b && b == c && c == d;
        }
    }

    public static ArraySpec<Wide> spec(Path dir, String name, int entries) {
        return MapSpec.array(name, Wide.class, entries).dir(dir);
    }

    public static ArraySpec<Flat> flatSpec(Path dir, String name, int entries) {
        return MapSpec.array(name, Flat.class, entries).dir(dir);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[2]);
        int entries = Integer.parseInt(args[5]);
        Backend backend = Backend.valueOf(args[4]);
        if (args[1].equals("flat")) {
            run(args, flatSpec(dir, args[3], entries).backend(backend), Flat::of, Flat::consistent);
        } else {
            run(args, spec(dir, args[3], entries).backend(backend), Wide::of, Wide::consistent);
        }
    }

    private static <V> void run(String[] args, ArraySpec<V> spec, LongFunction<V> of, Predicate<V> consistent)
            throws Exception {
        try (SharedArray<V> map = SharedArray.open(spec)) {
            int entries = map.length();
            if (args[0].equals("write")) {
                Path stop = Path.of(args[6]);
                long n = 0;
                while (!Files.exists(stop)) {
                    for (int i = 0; i < entries; i++) map.set(i, of.apply(++n));
                }
                System.out.println("writes=" + n);
            } else {
                long reads = Long.parseLong(args[6]);
                long torn = 0;
                SplittableRandom random = new SplittableRandom();
                for (long r = 0; r < reads; r++) {
                    if (!consistent.test(map.get(random.nextInt(entries)))) torn++;
                }
                System.out.println("reads=" + reads + " torn=" + torn + " tornConstructions="
                        + Flat.TORN_CONSTRUCTIONS.get());
            }
        }
    }
}
