package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.Size;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * 64-byte values whose eight words are always written equal: a value whose words differ was read torn.
 * {@code main} runs as a writer ({@code write dir name backend entries stopFile}) or as a reader
 * ({@code read dir name backend entries reads}), printing {@code writes=N} or {@code reads=N torn=T}.
 */
public final class WideValues {
    /** {@code struct { int64_t words[8]; }} */
    public record Wide(@Size(8) long[] words) {
        public static Wide of(long v) {
            return new Wide(new long[]{v, v, v, v, v, v, v, v});
        }

        public boolean consistent() {
            for (long w : words) {
                if (w != words[0]) return false;
            }
            return true;
        }
    }

    public static MapSpec<Wide> spec(Path dir, String name, int entries) {
        return MapSpec.array(name, Wide.class, entries).dir(dir);
    }

    public static void main(String[] args) throws Exception {
        int entries = Integer.parseInt(args[4]);
        MapSpec<Wide> spec = spec(Path.of(args[1]), args[2], entries).backend(Backend.valueOf(args[3]));
        try (SharedArray<Wide> map = SharedArray.open(spec)) {
            if (args[0].equals("write")) {
                Path stop = Path.of(args[5]);
                long n = 0;
                while (!Files.exists(stop)) {
                    for (int i = 0; i < entries; i++) map.set(i, Wide.of(++n));
                }
                System.out.println("writes=" + n);
            } else {
                long reads = Long.parseLong(args[5]);
                long torn = 0;
                SplittableRandom random = new SplittableRandom();
                for (long r = 0; r < reads; r++) {
                    if (!map.get(random.nextInt(entries)).consistent()) torn++;
                }
                System.out.println("reads=" + reads + " torn=" + torn);
            }
        }
    }
}
