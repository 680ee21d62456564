package dev.mapsync.cli.corruption;

import dev.mapsync.MapLocation;
import dev.mapsync.Backend;
import dev.mapsync.Change;
import dev.mapsync.ChangeCursor;
import dev.mapsync.ChangeEvent;
import dev.mapsync.HashSpec;
import dev.mapsync.KeyChange;
import dev.mapsync.KeyChangeCursor;
import dev.mapsync.KeyChangeEvent;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.RingClaim;
import dev.mapsync.RingConsumer;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedBarrier;
import dev.mapsync.SharedCounters;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedRing;
import dev.mapsync.Subscription;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Java API's main operations on each kind of map, as cases run them: each opens the corrupted map (lock and open
 * timeouts of {@value Operations#T} ms, so that no wait is longer), does one thing, and closes it. An operation returns
 * what it got; what it throws is judged ({@link Judge}).
 */
final class ApiOperations {
    private ApiOperations() {}

    static final Duration SHORT = Duration.ofMillis(Operations.T);

    static final List<Operation> ARRAY = ops("get", "get read-only", "set", "update", "lock", "tryLock", "lockAll",
            "lockMap", "getAndAdd", "compareAndSet", "changes", "watch", "locks", "syncStatus", "forceUnlock");
    static final List<Operation> HASH = ops("get", "containsKey", "put", "put new", "remove", "getAndAdd", "compute",
            "size", "iterate", "stats", "changes", "watch", "locks", "clear", "lockAll", "getAll");
    static final List<Operation> RING = ops("offer", "claim", "put", "poll", "drain", "status", "seal", "isSealed");
    static final List<Operation> BARRIER = ops("await", "reset", "status", "join");
    static final List<Operation> COUNTER = ops("add", "sum", "sum read-only", "sums", "cells", "sumThenReset");

    private static List<Operation> ops(String... names) {
        return java.util.Arrays.stream(names).map(n -> Operation.api(n, n.equals("watch") ? 1000 : Operations.T)).toList();
    }

    /**
     * What a case gives an operation: the map, and what to do once a subscription is made (write forged changes, or
     * make a real one), which a watching operation calls until it ends.
     */
    record Context(Path dir, String name, Backend backend, Runnable afterSubscribe) {}

    /** Runs operation {@code op} (its name without "api ") on a map of {@code kind}. */
    static Object run(MapKind kind, String op, Context c) throws Exception {
        return switch (kind) {
            case RECORDS, LONGS, BPF_RECORDS -> array(kind, op, c);
            case HASH -> hash(op, c);
            case QUEUE, RING, SEALED -> ring(kind, op, c);
            case BARRIER -> barrier(op, c);
            case COUNTER -> counter(op, c);
        };
    }

    private static MapLocation spec(Context c) {
        return MapSpec.existing(c.name()).dir(c.dir()).backend(c.backend()).lockTimeout(SHORT).openTimeout(SHORT);
    }

    private static Object array(MapKind kind, String op, Context c) throws Exception {
        if (op.equals("get read-only")) {
            try (SharedArray<Object> a = SharedArray.openReadOnly(spec(c))) {
                return a.get(3);
            }
        }
        try (SharedArray<Object> a = SharedArray.open(spec(c))) {
            var slots = kind == MapKind.LONGS ? a.longs() : a.longs("balance");
            return switch (op) {
                case "get" -> a.get(3);
                case "set" -> {
                    a.set(3, a.get(4));
                    yield null;
                }
                case "update" -> a.update(3, v -> v);
                case "lock" -> {
                    try (LockGuard g = a.lock(3, SHORT)) {
                        yield g.previousOwnerDied();
                    }
                }
                case "tryLock" -> a.tryLock(5).map(g -> {
                    g.close();
                    return g.previousOwnerDied();
                });
                case "lockAll" -> {
                    try (LockGuard g = a.lockAll(3, 5)) {
                        yield g.previousOwnerDied();
                    }
                }
                case "lockMap" -> {
                    try (LockGuard g = a.lockMap()) {
                        yield g.previousOwnerDied();
                    }
                }
                case "getAndAdd" -> slots.getAndAdd(3, 1);
                case "compareAndSet" -> slots.compareAndSet(3, 108, 109);
                case "changes" -> {
                    try (ChangeCursor cursor = a.changes()) {
                        c.afterSubscribe().run();
                        List<ChangeEvent> events = cursor.poll(SHORT);
                        checkKeys(events, a.length());
                        yield events;
                    }
                }
                case "watch" -> watch(c, events -> a.watch(events::add), a.length());
                case "locks" -> a.locks();
                case "syncStatus" -> a.syncStatus();
                case "forceUnlock" -> a.forceUnlock(5);
                default -> throw new IllegalArgumentException(op);
            };
        }
    }

    /** Watches until the first event comes or the watch fails, making changes meanwhile; at most a second. */
    private static Object watch(Context c, java.util.function.Function<LinkedBlockingQueue<Object>, Subscription> start,
                                int length) throws InterruptedException {
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        try (Subscription s = start.apply(events)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (events.isEmpty() && s.isActive() && System.nanoTime() < deadline) {
                c.afterSubscribe().run();
                Object e = events.poll(10, TimeUnit.MILLISECONDS);
                if (e != null) events.add(e);
            }
            if (s.failure().isPresent()) {
                Throwable t = s.failure().get();
                if (t instanceof Exception x) throw new WatchFailed(x);
                throw (Error) t;
            }
            List<Object> got = List.copyOf(events);
            for (Object e : got) if (e instanceof ChangeEvent ce) checkKeys(List.of(ce), length);
            return got;
        }
    }

    /** What ended a watch, thrown as the operation's outcome (its cause is judged). */
    static final class WatchFailed extends RuntimeException {
        WatchFailed(Exception cause) {
            super(cause);
        }
    }

    /** A change whose key is not an entry of the map is one no listener can use: a defect if it is delivered. */
    private static void checkKeys(List<ChangeEvent> events, int length) {
        for (ChangeEvent e : events) {
            if (e instanceof Change ch && (ch.key() < 0 || ch.key() >= length)) {
                throw new IllegalStateException("delivered a change of key " + ch.key() + ", not an entry of the map (0.."
                        + (length - 1) + ")");
            }
        }
    }

    private static Object hash(String op, Context c) throws Exception {
        MapLocation spec = MapSpec.existing(c.name()).dir(c.dir()).backend(c.backend()).lockTimeout(SHORT)
                .openTimeout(SHORT);
        try (SharedHashMap<Object, Object> h = SharedHashMap.open(spec)) {
            Map<String, Object> value = new java.util.LinkedHashMap<>(Map.of("id", 12L, "balance", 7L, "owner", "o12"));
            return switch (op) {
                case "get" -> h.get("k3");
                case "containsKey" -> h.containsKey("k4");
                case "put" -> h.put("k3", value);
                case "put new" -> h.put("k12", value);
                case "remove" -> h.remove("k4");
                case "getAndAdd" -> h.getAndAdd("k3", "balance", 1);
                case "compute" -> h.compute("k3", (k, v) -> v);
                case "size" -> h.size();
                case "iterate" -> {
                    int n = 0;
                    for (Map.Entry<Object, Object> e : h) n++;
                    yield n;
                }
                case "stats" -> h.stats();
                case "changes" -> {
                    try (KeyChangeCursor<Object> cursor = h.changes()) {
                        c.afterSubscribe().run();
                        yield cursor.poll(SHORT);
                    }
                }
                case "watch" -> watch(c, events -> h.watch((KeyChangeEvent<Object> e) -> events.add(e)), 0);
                case "locks" -> h.locks();
                case "clear" -> {
                    h.clear();
                    yield null;
                }
                case "lockAll" -> {
                    try (LockGuard ignored = h.lockAll("k3", "k4")) {
                        yield h.put("k4", value);
                    }
                }
                case "getAll" -> h.getAll(java.util.List.of("k3", "k4", "k12"));
                default -> throw new IllegalArgumentException(op);
            };
        }
    }

    private static Object ring(MapKind kind, String op, Context c) {
        MapLocation spec = MapSpec.existing(c.name()).dir(c.dir()).openTimeout(SHORT);
        byte[] record = kind == MapKind.RING ? "hello".getBytes() : new byte[8];
        try (SharedRing r = SharedRing.open(spec)) {
            return switch (op) {
                case "offer" -> r.offer(record);
                case "claim" -> {
                    try (RingClaim claim = r.claim(record.length, SHORT)) {
                        claim.commit();
                        yield claim.position();
                    }
                }
                case "put" -> {
                    r.put(record, SHORT);
                    yield null;
                }
                case "poll" -> {
                    try (RingConsumer consumer = r.consumer()) {
                        yield consumer.poll(SHORT);
                    }
                }
                case "drain" -> {
                    try (RingConsumer consumer = r.consumer()) {
                        yield consumer.drain(p -> { }, 100);
                    }
                }
                case "status" -> r.status();
                case "seal" -> {
                    r.seal();
                    yield null;
                }
                case "isSealed" -> r.isSealed();
                default -> throw new IllegalArgumentException(op);
            };
        }
    }

    private static Object barrier(String op, Context c) {
        try (SharedBarrier b = SharedBarrier.open(MapSpec.existing(c.name()).dir(c.dir()).openTimeout(SHORT))) {
            return switch (op) {
                case "await" -> b.await(SHORT);
                case "reset" -> {
                    b.reset();
                    yield null;
                }
                case "status" -> b.status();
                case "join" -> {
                    b.join();
                    yield null;
                }
                default -> throw new IllegalArgumentException(op);
            };
        }
    }

    private static Object counter(String op, Context c) {
        if (op.equals("sum read-only")) {
            try (SharedCounters r = SharedCounters.openReadOnly(spec(c))) {
                return r.sum(0);
            }
        }
        try (SharedCounters counters = SharedCounters.open(spec(c))) {
            return switch (op) {
                case "add" -> {
                    counters.add(0, 1);
                    yield counters.sum(0);
                }
                case "sum" -> counters.sum(0);
                case "sums" -> java.util.Arrays.toString(counters.sums());
                case "cells" -> counters.cells(0);
                case "sumThenReset" -> counters.sumThenReset(0);
                default -> throw new IllegalArgumentException(op);
            };
        }
    }

    /** The exceptions an operation of the API may end with, besides CorruptMapException, on a corrupted map. */
    static final Set<String> DOCUMENTED = Set.of("CorruptMapException", "IncompatibleMapException", "TornEntryException",
            "LockTimeoutException", "WaitTimeoutException", "BarrierBrokenException", "ConsumerBusyException",
            "RingSealedException", "MapFullException", "MapSyncException");
}
