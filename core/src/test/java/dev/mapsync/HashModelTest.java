package dev.mapsync;

import dev.mapsync.testkit.BpfProperties;
import dev.mapsync.testkit.TestDirs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model-based: random sequences of operations agree with {@link java.util.HashMap} after every step: each
 * operation's result, then every key's value, the size, the iteration, and the table's invariants. Small maps (24
 * keys competing for 16 places in 2 segments) fill up and refuse keys; a crowded one-segment map (300 keys for 200
 * places) builds long clusters, so deletes shift many keys.
 */
class HashModelTest {
    /** A map's geometry and how many keys compete for it. */
    record Shape(int keys, int capacity, int segments) {}

    private static final Shape SMALL = new Shape(24, 16, 2), CROWDED = new Shape(300, 200, 1);

    /** {@code struct { int64_t a; int32_t b; }}: small numbers, so that equal values (for replace and remove) are common. */
    record Val(long a, int b) {}

    sealed interface Op permits Put, Set, PutIfAbsent, Replace, ReplaceIf, Remove, RemoveIf, Compute, Add, Get, Clear,
            Scribble {}

    record Put(int k, Val v) implements Op {}

    record Set(int k, Val v) implements Op {}

    record PutIfAbsent(int k, Val v) implements Op {}

    record Replace(int k, Val v) implements Op {}

    record ReplaceIf(int k, Val expected, Val v) implements Op {}

    record Remove(int k) implements Op {}

    record RemoveIf(int k, Val expected) implements Op {}

    record Compute(int k) implements Op {}

    record Add(int k, long delta) implements Op {}

    record Get(int k) implements Op {}

    record Clear() implements Op {}

    /**
     * Leaves {@code fill} in this thread's scratch for keys and values, and {@code fill + 1} in its second value's,
     * by a put and a replace on another map of wide values: a map's results must not depend on them.
     */
    record Scribble(byte fill) implements Op {}

    /** Inserts, bumps, or removes (when b is even): every path of compute. */
    private static final BiFunction<Integer, Val, Val> FN =
            (k, v) -> v == null ? new Val(k, 1) : v.b() % 2 == 0 ? null : new Val(v.a() + 1, v.b() + 1);

    @Provide
    Arbitrary<List<Op>> ops() {
        return ops(SMALL, 80);
    }

    @Provide
    Arbitrary<List<Op>> crowded() {
        return ops(CROWDED, 600);
    }

    private Arbitrary<List<Op>> ops(Shape shape, int length) {
        Arbitrary<Integer> k = Arbitraries.integers().between(0, shape.keys() - 1);
        Arbitrary<Val> v = Combinators.combine(Arbitraries.longs().between(-2, 2), Arbitraries.integers().between(0, 3)).as(Val::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(8, Combinators.combine(k, v).as(Put::new)),
                Tuple.of(3, Combinators.combine(k, v).as(Set::new)),
                Tuple.of(3, Combinators.combine(k, v).as(PutIfAbsent::new)),
                Tuple.of(2, Combinators.combine(k, v).as(Replace::new)),
                Tuple.of(2, Combinators.combine(k, v, v).as(ReplaceIf::new)),
                Tuple.of(6, k.map(Remove::new)),
                Tuple.of(2, Combinators.combine(k, v).as(RemoveIf::new)),
                Tuple.of(3, k.map(Compute::new)),
                Tuple.of(3, Combinators.combine(k, Arbitraries.longs().between(-3, 3)).as(Add::new)),
                Tuple.of(3, k.map(Get::new)),
                Tuple.of(1, Arbitraries.just(new Clear())),
                Tuple.of(2, Arbitraries.bytes().map(Scribble::new)));
        return op.list().ofMinSize(1).ofMaxSize(length);
    }

    @Property(tries = 400)
    void shmMapsAgreeWithHashMap(@ForAll("ops") List<Op> ops) {
        run(Backend.SHM, SMALL, ops);
    }

    @Property(tries = 40)
    void crowdedShmMapsAgreeWithHashMap(@ForAll("crowded") List<Op> ops) {
        run(Backend.SHM, CROWDED, ops);
    }

    @Property(tries = 200)
    @AddLifecycleHook(BpfProperties.class)
    void kernelHashMapsAgreeWithHashMap(@ForAll("ops") List<Op> ops) {
        run(Backend.BPF, SMALL, ops);
    }

    private void run(Backend backend, Shape shape, List<Op> ops) {
        Path dir = TestDirs.create();
        String name = "m" + Long.toHexString(System.nanoTime());
        HashSpec<Integer, Val> spec = HashSpec.of(name, Codec.i32(), Codec.record(Val.class), shape.capacity())
                .segments(shape.segments()).dir(dir).backend(backend);
        HashSpec<Integer, byte[]> wideSpec = HashSpec.of(name + "w", Codec.i32(), Codec.bytes(64), 1).dir(dir).backend(backend);
        try (SharedHashMap<Integer, Val> map = SharedHashMap.create(spec);
             SharedHashMap<Integer, byte[]> wide = SharedHashMap.create(wideSpec)) {
            Map<Integer, Val> model = new HashMap<>();
            for (int step = 0; step < ops.size(); step++) {
                Op op = ops.get(step);
                String where = "step " + step + " " + op + " of " + ops;
                if (op instanceof Scribble(byte fill)) scribble(wide, fill);
                assertEquals(expected(model, op, shape.capacity()), actual(map, op), where);
                assertEquals(model.size(), map.size(), where);
                for (int k = 0; k < shape.keys(); k++) assertEquals(model.get(k), map.get(k), where + ": key " + k);
                Map<Integer, Val> iterated = new TreeMap<>();
                for (Map.Entry<Integer, Val> e : map) assertEquals(null, iterated.put(e.getKey(), e.getValue()), where);
                assertEquals(new TreeMap<>(model), iterated, where);
                assertEquals("", map.verifyTable(), where);
            }
        } finally {
            SharedMaps.delete(spec.location());
            SharedMaps.delete(wideSpec.location());
            TestDirs.delete(dir);
        }
    }

    /** The result of {@code op} on the model, changing it as the map should: a value, or the exception class. */
    private static Object expected(Map<Integer, Val> m, Op op, int capacity) {
        boolean full = m.size() >= capacity;
        return switch (op) {
            case Put(int k, Val v) -> !m.containsKey(k) && full ? MapFullException.class : m.put(k, v);
            case Set(int k, Val v) -> !m.containsKey(k) && full ? MapFullException.class : put(m, k, v);
            case PutIfAbsent(int k, Val v) -> !m.containsKey(k) && full ? MapFullException.class : m.putIfAbsent(k, v);
            case Replace(int k, Val v) -> m.replace(k, v);
            case ReplaceIf(int k, Val e, Val v) -> m.containsKey(k) && m.replace(k, e, v);
            case Remove(int k) -> m.remove(k);
            case RemoveIf(int k, Val e) -> m.remove(k, e);
            case Compute(int k) -> !m.containsKey(k) && full ? MapFullException.class : m.compute(k, FN);
            case Add(int k, long d) -> {
                if (!m.containsKey(k) && full) yield MapFullException.class;
                Val old = m.get(k);
                m.put(k, old == null ? new Val(d, 0) : new Val(old.a() + d, old.b()));
                yield old == null ? 0L : old.a();
            }
            case Get(int k) -> m.get(k);
            case Clear() -> {
                m.clear();
                yield null;
            }
            case Scribble s -> null;
        };
    }

    private static void scribble(SharedHashMap<Integer, byte[]> wide, byte fill) {
        byte[] first = new byte[64], second = new byte[64];
        java.util.Arrays.fill(first, fill);
        java.util.Arrays.fill(second, (byte) (fill + 1));
        wide.put(fill & 0xFF, first);
        wide.replace(fill & 0xFF, first, second);
        wide.clear();
    }

    private static Object put(Map<Integer, Val> m, int k, Val v) {
        m.put(k, v);
        return null;
    }

    private static Object actual(SharedHashMap<Integer, Val> map, Op op) {
        try {
            return switch (op) {
                case Put(int k, Val v) -> map.put(k, v);
                case Set(int k, Val v) -> {
                    map.set(k, v);
                    yield null;
                }
                case PutIfAbsent(int k, Val v) -> map.putIfAbsent(k, v);
                case Replace(int k, Val v) -> map.replace(k, v);
                case ReplaceIf(int k, Val e, Val v) -> map.replace(k, e, v);
                case Remove(int k) -> map.remove(k);
                case RemoveIf(int k, Val e) -> map.remove(k, e);
                case Compute(int k) -> map.compute(k, FN);
                case Add(int k, long d) -> map.getAndAdd(k, "a", d);
                case Get(int k) -> map.get(k);
                case Clear() -> {
                    map.clear();
                    yield null;
                }
                case Scribble s -> null;
            };
        } catch (MapFullException e) {
            return MapFullException.class;
        }
    }
}
