package dev.mapsync.bench.hash;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One process of the hash map benchmark. It opens the store (the first one makes and fills it), warms up, says
 * {@code ready-ID}, then runs the get phase and the put phase when the driver's {@code go-get} and {@code go-put}
 * files appear, writing {@code result-ID-get} and {@code result-ID-put}. A failure to open the store is written,
 * exactly, to {@code error-ID}. Arguments: store dir name entries ops id threads create warmup.
 */
public final class HashMapWorker {
    public static void main(String[] args) throws Exception {
        Store.Kind kind = Store.Kind.of(args[0]);
        Path dir = Path.of(args[1]);
        String name = args[2];
        int entries = Integer.parseInt(args[3]);
        long ops = Long.parseLong(args[4]);
        int id = Integer.parseInt(args[5]), threads = Integer.parseInt(args[6]);
        boolean create = Boolean.parseBoolean(args[7]);
        long warmup = Long.parseLong(args[8]);
        Store store;
        try {
            store = Store.open(kind, dir, name, entries, create);
            if (create) for (long k = 0; k < entries; k++) store.put(k, k);
        } catch (Throwable t) {
            Files.writeString(dir.resolve("error-" + id), describe(t));
            System.exit(3);
            return;
        }
        try (store) {
            Phase.run(store, "get", warmup, entries, -id);
            Phase.run(store, "put", warmup, entries, -id - 100);
            Files.writeString(dir.resolve("ready-" + id), "");
            for (String op : List.of("get", "put")) {
                awaitFile(dir.resolve("go-" + op));
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<Phase>> running = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long seed = id * 1000L + t + (op.equals("put") ? 500 : 0);
                    running.add(pool.submit((Callable<Phase>) () -> Phase.run(store, op, ops, entries, seed)));
                }
                StringBuilder out = new StringBuilder();
                for (Future<Phase> f : running) out.append(f.get().encode()).append('\n');
                pool.shutdown();
                Path tmp = dir.resolve("result-" + id + "-" + op + ".tmp");
                Files.writeString(tmp, out);
                Files.move(tmp, dir.resolve("result-" + id + "-" + op));
            }
        }
    }

    private static void awaitFile(Path file) throws InterruptedException {
        while (!Files.exists(file)) Thread.sleep(0, 200_000);
    }

    /** The exception as a person needs it: type, message, causes, and where it came from. */
    static String describe(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        return s.toString();
    }
}
