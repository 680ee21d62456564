package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.ChangeCursor;
import dev.mapsync.Chars;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.Subscription;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A map whose file shrinks under its open handle, as when another process truncates it: every operation must fail
 * with an exception (never crash the JVM). Arguments: {@code kind dir name backend shrinkTo warmUps}, where
 * {@code shrinkTo} is a length in bytes or {@code data} (the data region's offset): it makes a map
 * of the kind (array, hash, queue, barrier), runs each operation {@code warmUps} times (so that the JIT compiles
 * them), truncates the file (the sidecar, for bpf maps) to {@code shrinkTo} bytes, then runs each operation once
 * more and prints {@code OPERATION -> ok} or {@code OPERATION -> ExceptionClass: message}, then {@code done}.
 */
public final class ShrinkingMap {
    public record Account(long id, long balance, @Chars(16) String owner) {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        Path dir = Path.of(args[1]);
        String name = args[2];
        Backend backend = Backend.valueOf(args[3]);
        String shrink = args[4];
        int warmUps = Integer.parseInt(args[5]);
        Map<String, Callable<?>> ops = new LinkedHashMap<>();
        Map<String, Callable<?>> once = new LinkedHashMap<>(); // too slow to warm up; run after the shrink only
        AutoCloseable handle = switch (kind) {
            case "array" -> {
                SharedArray<Account> a = SharedArray.create(MapSpec.array(name, Account.class, 4096).dir(dir).backend(backend));
                ops.put("get", () -> a.get(3));
                ops.put("get far", () -> a.get(4000));
                ops.put("set", () -> { a.set(3, new Account(3, 1, "x")); return null; });
                ops.put("lock", () -> { try (LockGuard g = a.lock(3, Duration.ofMillis(200))) { return g; } });
                ops.put("tryLock", () -> a.tryLock(5).map(g -> { g.close(); return g; }));
                ops.put("lockAll", () -> { try (LockGuard g = a.lockAll(1, 2)) { return g; } });
                ops.put("lockMap", () -> { try (LockGuard g = a.lockMap()) { return g; } });
                ops.put("getAndAdd", () -> a.longs("balance").getAndAdd(4000, 1));
                ops.put("compareAndSet", () -> a.longs("balance").compareAndSet(4000, 0, 1));
                ops.put("compareAndExchange", () -> a.longs("balance").compareAndExchange(7, 1, 0));
                ops.put("getAndSet", () -> a.longs("id").getAndSet(7, 7));
                ops.put("update", () -> a.update(7, x -> x));
                ops.put("changes", () -> { try (ChangeCursor c = a.changes()) { return c.poll(Duration.ZERO); } });
                once.put("watch", () -> { try (Subscription s = a.watch(e -> { })) { return s; } });
                ops.put("locks", a::locks);
                ops.put("syncStatus", a::syncStatus);
                yield a;
            }
            case "hash" -> {
                SharedHashMap<String, Account> h = SharedHashMap.create(HashSpec.of(name, Codec.chars(16),
                        Codec.record(Account.class), 4096).dir(dir).backend(backend));
                ops.put("put", () -> h.put("k", new Account(1, 1, "x")));
                ops.put("get", () -> h.get("k"));
                ops.put("getAndAdd", () -> h.getAndAdd("k", "balance", 1));
                ops.put("remove", () -> h.remove("k"));
                ops.put("size", h::size);
                ops.put("iterate", () -> { h.forEach(e -> { }); return null; });
                yield h;
            }
            case "queue" -> {
                SharedQueue<Account> q = SharedQueue.create(MapSpec.queue(name, Account.class, 1024).dir(dir));
                ops.put("offer", () -> q.offer(new Account(1, 1, "x")));
                ops.put("poll", () -> q.poll(Duration.ZERO));
                ops.put("status", q::status);
                yield q;
            }
            case "barrier" -> {
                SharedBarrier b = SharedBarrier.create(MapSpec.barrier(name, 1).dir(dir));
                ops.put("await", () -> b.await(Duration.ofMillis(50)));
                ops.put("reset", () -> { b.reset(); return null; });
                ops.put("status", b::status);
                yield b;
            }
            default -> throw new IllegalArgumentException(kind);
        };
        for (int i = 0; i < warmUps; i++) {
            for (Callable<?> op : ops.values()) {
                try {
                    op.call();
                } catch (Exception expected) {
                    // a barrier that times out, a lock taken twice: only the code paths matter here
                }
            }
        }
        Path file = dir.resolve(name);
        // "data": only the data region goes (header and control region stay)
        long shrinkTo = shrink.equals("data") ? Peer.getLong(file, Peer.DATA_OFFSET) : Long.parseLong(shrink);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(shrinkTo);
        }
        ops.putAll(once);
        for (var op : ops.entrySet()) {
            String outcome;
            try {
                op.getValue().call();
                outcome = "ok";
            } catch (Throwable t) {
                outcome = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            System.out.println(op.getKey() + " -> " + outcome);
        }
        try {
            handle.close();
            System.out.println("close -> ok");
        } catch (Throwable t) {
            System.out.println("close -> " + t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        System.out.println("done");
    }
}
