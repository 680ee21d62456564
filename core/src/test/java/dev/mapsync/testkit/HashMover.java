package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.LockGuard;
import dev.mapsync.SharedHashMap;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A child of the hash map transaction test. {@code mover}: moves records (values that are record ids) from a key
 * that has one to a key that has none, under {@code lockAll} of both keys: read, remove, put. {@code checker}: reads
 * every key with {@code getAll} until the movers are done, and counts the reads that did not see each record exactly
 * once. Prints {@code moves N} or {@code checks N violations V}.
 * Arguments: dir name backend capacity segments keys records mode seedOrDoneFile count.
 */
public final class HashMover {
    public static HashSpec<String, Long> spec(Path dir, String name, Backend backend, int capacity, int segments) {
        return HashSpec.of(name, Codec.chars(8), Codec.i64(), capacity).segments(segments).dir(dir).backend(backend);
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int capacity = Integer.parseInt(args[3]), segments = Integer.parseInt(args[4]);
        int keys = Integer.parseInt(args[5]), records = Integer.parseInt(args[6]);
        List<String> all = new ArrayList<>();
        for (int k = 0; k < keys; k++) all.add("k" + k);
        try (SharedHashMap<String, Long> map = SharedHashMap.open(spec(dir, args[1], Backend.valueOf(args[2]), capacity, segments))) {
            if (args[7].equals("mover")) {
                SplittableRandom random = new SplittableRandom(Long.parseLong(args[8]));
                int moves = 0;
                for (int i = 0; i < Integer.parseInt(args[9]); i++) {
                    String from = all.get(random.nextInt(keys)), to = all.get(random.nextInt(keys));
                    if (from.equals(to)) continue;
                    try (LockGuard ignored = map.lockAll(from, to)) {
                        Long record = map.get(from);
                        if (record == null || map.get(to) != null) continue;
                        map.remove(from);
                        map.put(to, record); // between these two, the record is under neither key
                        moves++;
                    }
                }
                System.out.println("moves " + moves);
            } else {
                Path done = Path.of(args[8]);
                long checks = 0, violations = 0;
                while (!java.nio.file.Files.exists(done) || checks < 10) {
                    Map<String, Long> seen = map.getAll(all);
                    Set<Long> ids = new HashSet<>(seen.values());
                    if (seen.size() != records || ids.size() != records) violations++;
                    checks++;
                }
                System.out.println("checks " + checks + " violations " + violations);
            }
        }
    }
}
