package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.ProgramBuilder.Width;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.testkit.Machine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.mapsync.internal.sys.KernelAssumptions.bpftool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel hash maps: values behind a bpf_spin_lock read whole while a BPF program locks and changes them, LRU
 * eviction, bpftool, and foreign pins with and without BTF adopted, or refused with the reason.
 */
class BpfHashMapTest {
    /** {@code struct { int64_t a; int64_t b; }}: a BPF program keeps a == b under the element's lock. */
    record Pair(long a, long b) {}

    record Key(int shard, @Chars(12) String name) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    private <K, V> HashSpec<K, V> bpf(String name, Codec<K> key, Codec<V> value, int capacity) {
        pins.track(Bpffs.defaultPin(name));
        return HashSpec.of(name, key, value, capacity).backend(Backend.BPF).dir(dir);
    }

    private Path foreignPin(String prefix) {
        return pins.track(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName(prefix)));
    }

    /**
     * A spin-locked value's struct ends in padding after a {@code char[5]} value; the kernel stores those bytes as
     * given, so they must be zero, whatever this thread wrote to another kernel map before.
     */
    @Test
    void theKernelKeepsNoBytesOfAnotherMapAfterASpinLockedValue() {
        String wideName = KernelAssumptions.uniqueName("wide"), name = KernelAssumptions.uniqueName("tail");
        byte[] ab = new byte[16];
        Arrays.fill(ab, (byte) 0xAB);
        try (var wide = SharedHashMap.create(bpf(wideName, Codec.i64(), Codec.bytes(16), 4));
             var small = SharedHashMap.create(bpf(name, Codec.i64(), Codec.chars(5), 4).spinLock(true));
             KernelMap raw = KernelMap.openPin(name, Bpffs.defaultPin(name), false);
             Arena arena = Arena.ofConfined()) {
            assertEquals(12, raw.info().valueSize(), "struct { struct bpf_spin_lock lock; char value[5]; } (3 bytes of padding)");
            wide.put(1L, ab);
            small.put(1L, "hi");
            wide.put(2L, ab);
            small.replace(1L, "hi", "hey");
            MemorySegment key = arena.allocate(8), value = arena.allocate(12);
            key.set(ValueLayout.JAVA_LONG, 0, 1L);
            assertTrue(raw.lookup(key, value, 0));
            assertArrayEquals(new byte[]{0, 0, 0, 0, 'h', 'e', 'y', 0, 0, 0, 0, 0},
                    value.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void spinLockedValuesAreCopiedWholeWhileABpfProgramLocksAndChangesThem() throws Exception {
        String name = KernelAssumptions.uniqueName("lock");
        int runs = 5, repeat = 200_000;
        try (var pairs = SharedHashMap.create(bpf(name, Codec.i64(), Codec.record(Pair.class), 16).spinLock(true));
             KernelMap map = KernelMap.openPin(name, Bpffs.defaultPin(name), false)) {
            assertEquals("syscall, BPF_F_LOCK", pairs.info().details().get("access"));
            assertEquals(24, map.info().valueSize(), "struct { struct bpf_spin_lock lock; struct { i64 a, b; } value; }");
            pairs.put(1L, new Pair(0, 0));
            // lookup(1); bpf_spin_lock(&v->lock); v->value.a++; v->value.b++; bpf_spin_unlock(&v->lock)
            ProgramBuilder p = new ProgramBuilder();
            ProgramBuilder.Label miss = p.label();
            p.store(Width.DW, Reg.R10, -8, 1)
                    .mov(Reg.R2, Reg.R10).addImm(Reg.R2, -8)
                    .loadMap(Reg.R1, map.fd())
                    .call(ProgramBuilder.Helper.MAP_LOOKUP_ELEM)
                    .jumpIfEqual(Reg.R0, 0, miss)
                    .mov(Reg.R6, Reg.R0)
                    .mov(Reg.R7, 0)
                    .mov(Reg.R1, Reg.R6).call(ProgramBuilder.Helper.SPIN_LOCK)
                    .load(Width.DW, Reg.R2, Reg.R6, 8).addImm(Reg.R2, 1).store(Width.DW, Reg.R6, 8, Reg.R2);
            // a while between the two stores: without the lock, a copy would often fall in between
            for (int i = 0; i < 400; i++) p.addImm(Reg.R7, 1);
            p.load(Width.DW, Reg.R3, Reg.R6, 16).addImm(Reg.R3, 1).store(Width.DW, Reg.R6, 16, Reg.R3)
                    .mov(Reg.R1, Reg.R6).call(ProgramBuilder.Helper.SPIN_UNLOCK)
                    .bind(miss)
                    .mov(Reg.R0, 0)
                    .exit();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long reads = 0, torn = 0;
            try (Program program = Program.load(Program.Type.SCHED_CLS, p.build(), "pair_bump")) {
                Thread kernelSide = Thread.ofPlatform().start(() -> {
                    try {
                        for (int r = 0; r < runs; r++) program.testRun(repeat);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                while (kernelSide.isAlive()) {
                    Pair seen = pairs.get(1L);
                    reads++;
                    if (seen.a() != seen.b()) torn++;
                }
                kernelSide.join();
            }
            assertNull(failure.get());
            System.out.println("BPF_F_LOCK reads while a program changed the value under its lock: " + reads + ", torn " + torn);
            assertEquals(0, torn);
            assertEquals(new Pair((long) runs * repeat, (long) runs * repeat), pairs.get(1L));
            assertEquals(Map.of(1L, new Pair((long) runs * repeat, (long) runs * repeat)), dump(pairs));
        }
    }

    @Test
    void lruMapsEvictInsteadOfRefusing() {
        String name = KernelAssumptions.uniqueName("lru");
        try (var lru = SharedHashMap.create(bpf(name, Codec.i64(), Codec.i64(), 8).lru(true))) {
            for (long k = 0; k < 100; k++) lru.put(k, k * 10);
            assertEquals(990L, lru.get(99L), "the newest key stays");
            long size = lru.size();
            // the kernel's LRU keeps per-CPU free lists, so it may evict before it is full: at most max_entries stay
            assertTrue(size >= 1 && size <= 8, "entries " + size);
            assertEquals("lru_hash", lru.info().details().get("kernel map"));
            assertEquals(8, lru.capacity());
        }
        IncompatibleMapException notLru = assertThrows(IncompatibleMapException.class,
                () -> SharedHashMap.open(HashSpec.of(name, Codec.i64(), Codec.i64(), 8).backend(Backend.BPF).dir(dir)));
        assertEquals("map '" + name + "' does not match the spec: kernel map type: file has lru_hash, spec asks hash"
                + SharedArrayTest.TO_GO_ON, notLru.getMessage());
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
    }

    @Test
    void bpftoolSeesKeysAndValuesByFieldName() {
        Machine.requireBpftool();
        String name = KernelAssumptions.uniqueName("named");
        try (var map = SharedHashMap.create(bpf(name, Codec.record(Key.class), Codec.record(Pair.class), 4))) {
            map.put(new Key(7, "x"), new Pair(3, 4));
            String dump = bpftool("map", "dump", "pinned", Bpffs.defaultPin(name).toString()).ok().out();
            assertTrue(dump.contains("\"shard\": 7") && dump.contains("\"name\": \"x\"") && dump.contains("\"a\": 3")
                    && dump.contains("\"b\": 4"), dump);
            String show = bpftool("map", "show", "pinned", Bpffs.defaultPin(name).toString()).ok().out();
            assertTrue(show.contains("hash") && show.contains("key 16B") && show.contains("value 16B") && show.contains("max_entries 4"), show);
        }
    }

    @Test
    void aMapWithoutBtfIsOpenedWithCodecsAndRefusesAValueLock() {
        Machine.requireBpftool();
        Path pin = foreignPin("nobtf");
        String name = pin.getFileName().toString();
        bpftool("map", "create", pin.toString(), "type", "hash", "key", "8", "value", "16", "entries", "32", "name", "nobtf").ok();

        IncompatibleMapException locked = assertThrows(IncompatibleMapException.class, () -> SharedHashMap.open(
                HashSpec.pinned(pin, Codec.i64(), Codec.record(Pair.class)).spinLock(true).dir(dir)));
        assertEquals("value spin lock", locked.field());
        assertEquals("map '" + name + "' pinned at " + pin + " has no BTF, so the kernel knows of no bpf_spin_lock in its"
                + " values and refuses BPF_F_LOCK; a value lock needs a map created with BTF whose value struct starts"
                + " with a struct bpf_spin_lock", locked.getMessage());
        IncompatibleMapException unknown = assertThrows(IncompatibleMapException.class,
                () -> SharedHashMap.open(MapSpec.existingPin(pin).dir(dir)));
        assertEquals("map '" + name + "' pinned at " + pin + " has no BTF, so the layout of its keys and values is unknown;"
                + " open it with HashSpec.pinned(pin, keyCodec, valueCodec)", unknown.getMessage());
        IncompatibleMapException size = assertThrows(IncompatibleMapException.class,
                () -> SharedHashMap.open(HashSpec.pinned(pin, Codec.i64(), Codec.i64()).dir(dir)));
        assertEquals("map '" + name + "' pinned at " + pin + " does not match the spec: value size: the kernel map has 16,"
                + " the spec asks 8 (i64)", size.getMessage());
        assertEquals(List.of(), list(dir), "no sidecar was made for a refused pin");

        try (var adopted = SharedHashMap.open(HashSpec.pinned(pin, Codec.i64(), Codec.record(Pair.class)).dir(dir))) {
            assertEquals(32, adopted.capacity());
            adopted.put(5L, new Pair(6, 7));
            String lookup = bpftool("map", "lookup", "pinned", pin.toString(), "key", "5", "0", "0", "0", "0", "0", "0", "0").ok().out();
            assertTrue(lookup.contains("value: 06 00 00 00 00 00 00 00  07 00 00 00 00 00 00 00"), lookup);
            assertEquals("syscall", adopted.info().details().get("access"));
        }
        // the sidecar now says there is no lock
        IncompatibleMapException again = assertThrows(IncompatibleMapException.class, () -> SharedHashMap.open(
                HashSpec.pinned(pin, Codec.i64(), Codec.record(Pair.class)).spinLock(true).dir(dir)));
        assertEquals("map '" + name + "' does not match the spec: value spin lock: file has no lock, spec asks a bpf_spin_lock"
                + SharedArrayTest.TO_GO_ON, again.getMessage());
        try (var byName = SharedHashMap.open(MapSpec.existing(name).dir(dir))) {
            assertEquals(Map.of("a", 6L, "b", 7L), byName.get(5L));
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        assertTrue(!Files.exists(pin) && list(dir).isEmpty());
    }

    @Test
    void aForeignMapWithBtfIsAdoptedWithItsSchemasAndItsLock() {
        Path pin = foreignPin("btf");
        String name = pin.getFileName().toString();
        Schema key = Codec.record(Key.class).schema(), value = Codec.record(Pair.class).schema();
        try (KernelMap made = KernelMap.createHash("libbpf_like", key, value, 16, false, true)) {
            made.pin(pin);
        }
        Path elsewhere = dir.resolve("elsewhere");
        IncompatibleMapException noLock = assertThrows(IncompatibleMapException.class, () -> SharedHashMap.open(
                HashSpec.pinned(pin, Codec.record(Key.class), Codec.record(Pair.class)).dir(elsewhere)));
        assertEquals("map '" + name + "' pinned at " + pin + ": its values carry a struct bpf_spin_lock; open it with"
                + " spinLock(true) so that values are copied with BPF_F_LOCK", noLock.getMessage());
        try (var adopted = SharedHashMap.open(MapSpec.existingPin(pin).dir(dir))) {
            assertEquals(key, adopted.keyCodec().schema());
            assertEquals(value, adopted.valueCodec().schema());
            assertEquals("syscall, BPF_F_LOCK", adopted.info().details().get("access"));
            adopted.put(Map.of("shard", 1, "name", "a"), Map.of("a", 2L, "b", 3L));
        }
        try (var typed = SharedHashMap.open(HashSpec.pinned(pin, Codec.record(Key.class), Codec.record(Pair.class))
                .spinLock(true).dir(dir))) {
            assertEquals(new Pair(2, 3), typed.get(new Key(1, "a")));
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
    }

    @Test
    void valuesTheKernelCannotHoldAreRefusedWithTheReason() {
        String name = KernelAssumptions.uniqueName("big");
        MapSyncException e = assertThrows(MapSyncException.class,
                () -> SharedHashMap.create(bpf(name, Codec.i64(), Codec.bytes(1 << 25), 4)));
        assertEquals("bpf map '" + name + "': bpf(BPF_MAP_CREATE, " + name.substring(0, Math.min(15, name.length()))
                + "): E2BIG (the key, the value or the map is too large)", e.getMessage());
        assertEquals(List.of(), list(dir));
    }

    private static <K, V> Map<K, V> dump(SharedHashMap<K, V> map) {
        Map<K, V> out = new java.util.HashMap<>();
        map.forEach(out::put);
        return out;
    }

    private static List<Path> list(Path dir) {
        if (!Files.exists(dir)) return List.of();
        try (var files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
