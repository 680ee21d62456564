package dev.mapsync.cli;

import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.RingClaim;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.asm.RingEmitter;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.UserRingDrain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.launch.Jvm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernel maps pinned by other programs (bpftool, or the bpf syscalls with BTF), opened by their bpffs path: every
 * command that reads or writes values, {@code info} and {@code list --kernel}, and the refusal of the commands that
 * need mapsync's control region.
 */
class KernelPinCliTest {
    private Path dir;
    private Path pins;
    private List<Path> privateBefore;

    @BeforeEach
    void setUp() throws IOException {
        Machine.requireBpf();
        Machine.requireProgram("bpftool", Machine.BPFTOOL.toString());
        dir = TestDirs.create();
        pins = Files.createDirectory(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName("kpin")));
        privateBefore = privateFolders();
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> all = Files.walk(pins)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        TestDirs.delete(dir);
    }

    private static List<Path> privateFolders() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("mapsync-pin-")).sorted().toList();
        }
    }

    private Cli ms(String... args) {
        Cli c = Cli.in(dir, args);
        try {
            assertEquals(privateBefore, privateFolders(), "a command leaves no private sidecar folder behind");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return c;
    }

    private Path btfArray(String name, String schema, int entries) {
        Path pin = pins.resolve(name);
        try (KernelMap map = KernelMap.createArray(name, Schema.parse(schema), entries)) {
            map.pin(pin);
        }
        return pin;
    }

    private Path btfHash(String name, String key, String value, int entries, boolean lru) {
        Path pin = pins.resolve(name);
        try (KernelMap map = KernelMap.createHash(name, Schema.parse(key), Schema.parse(value), entries, lru, false)) {
            map.pin(pin);
        }
        return pin;
    }

    private Path bpftool(String name, String... spec) {
        Path pin = pins.resolve(name);
        String[] args = new String[spec.length + 5];
        args[0] = "map";
        args[1] = "create";
        args[2] = pin.toString();
        System.arraycopy(spec, 0, args, 3, spec.length);
        args[spec.length + 3] = "name";
        args[spec.length + 4] = pin.getFileName().toString();
        KernelAssumptions.bpftool(args).ok();
        return pin;
    }

    private static int id(Path pin) {
        try (KernelMap map = KernelMap.openPin(pin.getFileName().toString(), pin, true)) {
            return map.info().id();
        }
    }

    private static String refusal(String command, Path pin) {
        return "mapsync: the " + command + " command needs mapsync's control region (locks, change log), and the kernel"
                + " map pinned at " + pin + " has none: another program made it; get, set, add, dump, info, watch --poll,"
                + " top, export and queue take work on it\n";
    }

    private static void assertFails(int code, String err, Cli c) {
        assertEquals(List.of(code, err, ""), List.of(c.code(), c.err(), c.out()));
    }

    @Test
    void anArrayWithBtfIsReadAndWrittenThroughItsMapping() {
        Path pin = btfArray("arr", "hits:u64,drops:u32", 4);
        String a = pin.toString();
        assertEquals("", ms("set", a, "1", "hits=5,drops=2").ok().out());
        assertEquals("hits=5,drops=2\n", ms("get", a, "1").ok().out());
        assertEquals("{\"hits\":5,\"drops\":2}\n", ms("get", a, "1", "--json").ok().out());
        assertEquals("8\n", ms("add", a, "1", "3", "--field", "hits").ok().out());
        assertEquals("1\thits=8,drops=2\n", ms("dump", a, "--nonzero").ok().out());
        assertEquals("map           " + pin + "\n"
                + "type          array\n"
                + "backend       bpf\n"
                + "kernel map id " + id(pin) + "\n"
                + "kernel map    array, mmapable\n"
                + "kernel name   arr\n"
                + "btf           yes\n"
                + "access        mmap\n"
                + "sidecar       none: another program pinned it; lock, locks, unlock, wait, watch without --poll and queue"
                + " put need mapsync's control region\n"
                + "entries       4\n"
                + "value         hits:u64,drops:u32 (16 bytes, stride 16)\n", ms("info", a).ok().out());
        assertEquals("{\"map\":\"" + pin + "\",\"type\":\"array\",\"backend\":\"bpf\",\"kernel_map_id\":" + id(pin)
                + ",\"kernel_map\":\"array, mmapable\",\"kernel_name\":\"arr\",\"key_size\":4,\"value_size\":16,"
                + "\"max_entries\":4,\"flags\":\"mmapable\",\"btf\":true,\"schema_from\":\"btf\",\"access\":\"mmap\","
                + "\"sidecar\":null,\"cpus\":null,\"value_schema\":\"hits:u64,drops:u32\"}\n", ms("info", a, "--json").ok().out());
        // what another program writes is what the next command reads: the kernel's own element
        try (KernelMap map = KernelMap.openPin("arr", pin, false)) {
            MemorySegment value = Arena.ofAuto().allocate(16);
            value.set(ValueLayout.JAVA_LONG, 0, 11);
            map.store(3, value);
        }
        assertEquals("1\thits=8,drops=2\n3\thits=11,drops=0\n", ms("dump", a, "--nonzero").ok().out());
    }

    @Test
    void theCommandsThatNeedTheControlRegionRefuseAForeignPinInOneLine() {
        Path pin = btfArray("arr", "u64", 2);
        String a = pin.toString();
        assertFails(3, refusal("lock", pin), ms("lock", a, "1", "--", "true"));
        assertFails(3, refusal("locks", pin), ms("locks", a));
        assertFails(3, refusal("unlock", pin), ms("unlock", a, "1", "--force"));
        assertFails(3, refusal("wait", pin), ms("wait", a, "1", "--until", "1"));
        assertFails(3, refusal("watch", pin), ms("watch", a));
        assertFails(3, refusal("barrier stat", pin), ms("barrier", "stat", a));
        assertFails(1, "mapsync: --key and --value are for kernel maps pinned by other programs without BTF; map accounts"
                + " has its own schema\n", ms("get", "accounts", "1", "--value", "u64"));
        assertFails(1, "mapsync: a new kernel map is named bpf:NAME (mapsync pins it at /sys/fs/bpf/mapsync/NAME), not by a"
                + " path in a bpf file system: " + pins.resolve("new") + "\n",
                ms("create", pins.resolve("new").toString(), "--value", "u64", "--entries", "2"));
        assertFails(2, "mapsync: no map 'nothing': nothing is pinned at " + pins.resolve("nothing") + " (bpf(BPF_OBJ_GET, "
                + pins.resolve("nothing") + "): ENOENT (no pin at this path))\n",
                ms("get", pins.resolve("nothing").toString(), "1"));
    }

    @Test
    void aPinThatAProgramAdoptedHasItsSharedSidecarAndEveryCommand() {
        Path pin = bpftool("adopted", "type", "array", "key", "4", "value", "8", "entries", "2", "flags", "1024");
        try (SharedArray<Long> hits = SharedArray.open(MapSpec.pinned(pin, Codec.u64()).dir(dir))) {
            hits.set(1, 9L);
        }
        String a = pin.toString();
        assertEquals("9\n", ms("get", a, "1").ok().out());
        assertEquals("", ms("locks", a).ok().out());
        String info = ms("info", a).ok().out();
        assertTrue(info.startsWith("map           adopted\nfile          " + dir.resolve("adopted") + "\n"), info);
        assertTrue(info.contains("\npin           " + pin + "\nkernel map    array, mmapable\naccess        mmap\n"), info);
        assertFails(1, "mapsync: --key and --value are for kernel maps pinned by other programs without BTF; map " + pin
                + " has its own schema\n", ms("get", a, "1", "--value", "u64"));
    }

    @Test
    void aMapWithoutBtfTakesItsSchemaFromOptionsAndIsReachedBySyscalls() {
        Path pin = bpftool("raw", "type", "array", "key", "4", "value", "8", "entries", "2");
        String a = pin.toString();
        assertFails(3, "mapsync: the array map pinned at " + pin + " has no BTF that describes its values (8-byte values);"
                + " give --value SCHEMA (such as --value u64)\n", ms("get", a, "1"));
        assertEquals("", ms("set", a, "1", "40", "--value", "u64").ok().out());
        // an add on values copied through bpf(2) could not be atomic against the map's BPF programs: refused
        assertFails(5, "mapsync: map 'raw' has no atomic slots: its kernel map cannot be mapped into memory (no"
                + " BPF_F_MMAPABLE, a bpf_spin_lock, or a read-only pin), so its values are copied whole through bpf(2);"
                + " use get and set\n", ms("add", a, "1", "2", "--value", "u64"));
        assertEquals("40\n", ms("get", a, "1", "--value", "i64").ok().out());
        assertEquals("0\t0\n1\t40\n", ms("dump", a, "--value", "u64").ok().out());
        assertEquals("map           " + pin + "\n"
                + "type          array\n"
                + "backend       bpf\n"
                + "kernel map id " + id(pin) + "\n"
                + "kernel map    array, not mmapable\n"
                + "kernel name   raw\n"
                + "btf           no (schema given by options)\n"
                + "access        syscall (bpf(2) for every value)\n"
                + "sidecar       none: another program pinned it; lock, locks, unlock, wait, watch without --poll and queue"
                + " put need mapsync's control region\n"
                + "entries       2\n"
                + "value         u64 (8 bytes, stride 8)\n", ms("info", a, "--value", "u64").ok().out());
        assertFails(1, "mapsync: --key is for hash maps; the array map pinned at " + pin + " has indexes\n",
                ms("get", a, "1", "--key", "u32", "--value", "u64"));
    }

    @Test
    void hashAndLruHashMapsWithAndWithoutBtf() {
        Path btf = btfHash("h", "u32", "count:u64", 8, false);
        String h = btf.toString();
        assertEquals("", ms("set", h, "7", "count=3").ok().out());
        assertEquals("5\n", ms("add", h, "7", "2", "--field", "count").ok().out());
        assertEquals("count=5\n", ms("get", h, "7").ok().out());
        assertEquals("7\tcount=5\n", ms("dump", h).ok().out());
        assertEquals("map           " + btf + "\n"
                + "type          hash\n"
                + "backend       bpf\n"
                + "kernel map id " + id(btf) + "\n"
                + "kernel map    hash\n"
                + "kernel name   h\n"
                + "btf           yes\n"
                + "access        syscall (bpf(2) for every value)\n"
                + "sidecar       none: another program pinned it; lock, locks, unlock, wait, watch without --poll and queue"
                + " put need mapsync's control region\n"
                + "key           u32 (4 bytes)\n"
                + "value         count:u64 (8 bytes)\n"
                + "capacity      8\n"
                + "entries       1\n", ms("info", h).ok().out());
        assertEquals("", ms("rm-key", h, "7").ok().out());
        assertEquals("", ms("dump", h).ok().out());

        for (String type : List.of("hash", "lru_hash")) {
            Path raw = bpftool("raw_" + type, "type", type, "key", "4", "value", "8", "entries", "8");
            String r = raw.toString();
            assertFails(3, "mapsync: the " + type + " map pinned at " + raw + " has no BTF that describes its keys and"
                    + " values (4-byte keys, 8-byte values); give --key SCHEMA --value SCHEMA (such as --value u64)\n",
                    ms("get", r, "7"));
            assertEquals("", ms("set", r, "7", "3", "--key", "u32", "--value", "u64").ok().out());
            assertEquals("4\n", ms("add", r, "7", "1", "--key", "u32", "--value", "u64").ok().out());
            assertEquals("", ms("set", r, "9", "1", "--key", "u32", "--value", "u64").ok().out());
            assertEquals("4\n", ms("get", r, "7", "--key", "u32", "--value", "u64").ok().out());
            String dump = ms("dump", r, "--key", "u32", "--value", "u64").ok().out();
            assertEquals(List.of("7\t4", "9\t1"), dump.lines().sorted().toList());
            assertEquals("{\"map\":\"" + raw + "\",\"type\":\"hash\",\"backend\":\"bpf\",\"kernel_map_id\":" + id(raw)
                    + ",\"kernel_map\":\"" + type + "\",\"kernel_name\":\"raw_" + type + "\",\"key_size\":4,"
                    + "\"value_size\":8,\"max_entries\":8,\"flags\":\"-\",\"btf\":false,\"schema_from\":\"options\","
                    + "\"access\":\"syscall\",\"sidecar\":null,\"cpus\":null,\"key_schema\":\"u32\",\"value_schema\":\"u64\","
                    + "\"entries\":2}\n", ms("info", r, "--key", "u32", "--value", "u64", "--json").ok().out());
            assertFails(1, "mapsync: the " + type + " map pinned at " + raw + " needs both --key and --value, or neither"
                    + " (its BTF)\n", ms("get", r, "7", "--value", "u64"));
        }
    }

    @Test
    void aKernelRingBufferIsTakenFromAndDescribed() {
        Path pin = bpftool("ring", "type", "ringbuf", "key", "0", "value", "0", "entries", "4096");
        try (RingEmitter e = RingEmitter.load(pin)) {
            e.emit(1, RingEmitter.KIND_RECORD, 42);
            e.emit(2, RingEmitter.KIND_DISCARD, 43);
            e.emit(3, RingEmitter.KIND_RECORD, 44);
        }
        assertEquals("hex:01000000000000002a00000000000000\nhex:03000000000000002c00000000000000\n",
                ms("queue", "take", pin.toString(), "--count", "2", "--hex").ok().out());
        assertEquals("map           " + pin + "\n"
                + "type          ring\n"
                + "backend       bpf\n"
                + "kernel map id " + id(pin) + "\n"
                + "kernel map    ringbuf\n"
                + "kernel name   ring\n"
                + "btf           no\n"
                + "access        mmap\n"
                + "sidecar       none: another program pinned it; lock, locks, unlock, wait, watch without --poll and queue"
                + " put need mapsync's control region\n"
                + "capacity      4096 bytes\n"
                + "records       of any length\n", ms("info", pin.toString()).ok().out());
    }

    @Test
    void queuePutProducesIntoAUserRingThatABpfProgramDrains() {
        try (UserRingDrain program = UserRingDrain.load(dir)) {
            String ring = program.ring().toString();
            // never adopted: its producers would share no reserve lock
            assertFails(3, refusal("queue put", program.ring()), ms("queue", "put", ring, "--hex",
                    "01000000000000000100000000000000"));
            Cli take = ms("queue", "take", ring);
            assertEquals(List.of(4, "mapsync: ring 'ring' is a kernel user ring buffer (BPF_MAP_TYPE_USER_RINGBUF): only"
                    + " BPF programs consume it (bpf_user_ringbuf_drain); user space produces into it\n"),
                    List.of(take.code(), take.err()));
            // adopted by a program here: its sidecar is in the map folder, and every producer claims under its lock
            try (SharedRing adopted = SharedRing.open(MapSpec.pinnedRing(program.ring()).dir(dir))) {
                assertEquals("", ms("queue", "put", ring, "--hex", "02000000000000000400000000000000",
                        "03000000000000000900000000000000").ok().out());
                try (RingClaim claim = adopted.tryClaim(16)) {
                    claim.payload().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, 4);
                    claim.payload().set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 8, 16);
                    claim.commit();
                }
            }
            program.drain();
            assertEquals(List.of(3L, 2L + 3 + 4, 0L, 3L), program.results());
            String info = ms("info", ring).ok().out();
            assertTrue(info.contains("\nkernel map    user_ringbuf\n"), info);
        }
    }

    @Test
    void queueCreateMakesAUserRingThatQueuePutFillsAndAProgramDrains() {
        String name = KernelAssumptions.uniqueName("events");
        Path pin = Bpffs.defaultPin(name);
        try {
            assertEquals("created queue bpf:" + name + ": 4096 bytes of records of any length, into the kernel (bpf backend, "
                    + dir.resolve(name) + ", mode 0600)\n",
                    ms("queue", "create", "bpf:" + name, "--capacity", "4096", "--user-ring").ok().out());
            assertEquals("", ms("queue", "put", "bpf:" + name, "--hex", "05000000000000001900000000000000").ok().out());
            try (UserRingDrain program = UserRingDrain.load(dir.resolve("work"), pin)) {
                program.drain();
                assertEquals(List.of(1L, 5L, 0L, 1L), program.results());
            }
            Cli take = ms("queue", "take", "bpf:" + name);
            assertEquals(List.of(4, "mapsync: ring '" + name + "' is a kernel user ring buffer (BPF_MAP_TYPE_USER_RINGBUF):"
                    + " only BPF programs consume it (bpf_user_ringbuf_drain); user space produces into it\n"),
                    List.of(take.code(), take.err()));
            assertFails(1, "mapsync: --user-ring makes a ring of records of any length (BPF programs read its bytes); leave"
                    + " out --value\n", ms("queue", "create", "bpf:" + name + "x", "--values", "4", "--value", "u64",
                    "--user-ring"));
            ms("rm", "bpf:" + name).ok();
        } finally {
            try {
                Files.deleteIfExists(pin);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void rmRemovesAForeignPinWhateverItsSchema() {
        Path raw = bpftool("raw", "type", "hash", "key", "4", "value", "8", "entries", "8");
        Path prog = pins.resolve("prog");
        try (RingEmitter e = RingEmitter.load(bpftool("ring", "type", "ringbuf", "key", "0", "value", "0", "entries", "4096"))) {
            e.pin(prog);
        }
        Cli rm = ms("rm", raw.toString());
        assertEquals(List.of(0, "", ""), List.of(rm.code(), rm.out(), rm.err()));
        assertEquals(false, Files.exists(raw));
        assertFails(3, "mapsync: " + prog + " holds a BPF program or link, not a map; mapsync opens maps (list --kernel"
                + " shows them)\n", ms("rm", prog.toString()));
        assertEquals(true, Files.exists(prog));
    }

    @Test
    void whatIsNoMapIsRefusedInOneLine() {
        Path ring = bpftool("ring", "type", "ringbuf", "key", "0", "value", "0", "entries", "4096");
        Path prog = pins.resolve("prog");
        try (RingEmitter e = RingEmitter.load(ring)) {
            e.pin(prog);
        }
        assertFails(1, "mapsync: " + pins + " is a folder in a bpf file system, not a pin; mapsync list --kernel --dir "
                + pins + " lists the maps pinned in it\n", ms("get", pins.toString(), "1"));
        assertFails(3, "mapsync: " + prog + " holds a BPF program or link, not a map; mapsync opens maps (list --kernel"
                + " shows them)\n", ms("info", prog.toString()));
        assertFails(3, "mapsync: map 'ring' is a ring map; mapsync get works on array, hash and counter maps\n",
                ms("get", ring.toString(), "1"));
        Path stack = bpftool("stack", "type", "queue", "key", "0", "value", "8", "entries", "4");
        assertFails(3, "mapsync: the queue map pinned at " + stack + ": mapsync opens array, hash and lru_hash maps,"
                + " their per-CPU variants, and ringbuf and user_ringbuf maps only\n", ms("dump", stack.toString()));
    }

    @Test
    void listKernelShowsEveryPinnedMapAndHowItOpens() throws IOException {
        Path arr = btfArray("arr", "u64", 4);
        Path raw = bpftool("raw", "type", "array", "key", "4", "value", "12", "entries", "3");
        Files.createDirectory(pins.resolve("sub"));
        Path hash = bpftool("sub/h", "type", "hash", "key", "8", "value", "16", "entries", "32");
        Path ring = bpftool("ring", "type", "ringbuf", "key", "0", "value", "0", "entries", "4096");
        Path progs = bpftool("progs", "type", "prog_array", "key", "4", "value", "4", "entries", "4");
        String w = "%-" + hash.toString().length() + "s %-15s %5s %7s %9s %-12s %-3s %s%n";
        String expected = String.format(w, "PATH", "TYPE", "KEY", "VALUE", "ENTRIES", "FLAGS", "BTF", "OPENS")
                + String.format(w, arr, "array", 4, 8, 4, "mmapable", "yes", "mmap")
                + String.format(w, progs, "prog_array", 4, 4, 4, "-", "no", "no")
                + String.format(w, raw, "array", 4, 12, 3, "-", "no", "syscall, --value")
                + String.format(w, ring, "ringbuf", 0, 0, 4096, "-", "no", "mmap")
                + String.format(w, hash, "hash", 8, 16, 32, "-", "no", "syscall, --key --value");
        assertEquals(expected, Cli.run("list", "--kernel", "--dir=" + pins).ok().out());
        String json = Cli.run("list", "--kernel", "--dir=" + pins, "--json").ok().out();
        assertEquals("[" + String.join(",",
                listed(arr, "array", 4, 8, 4, "mmapable", true, true, "mmap", false),
                listed(progs, "prog_array", 4, 4, 4, "-", false, false, null, false),
                listed(raw, "array", 4, 12, 3, "-", false, false, "syscall", true),
                listed(ring, "ringbuf", 0, 0, 4096, "-", false, false, "mmap", false),
                listed(hash, "hash", 8, 16, 32, "-", false, false, "syscall", true)) + "]\n", json);
        assertFails(1, "mapsync: " + dir + " is not a folder in a bpf file system (mount -t bpf bpf /sys/fs/bpf)\n",
                Cli.run("list", "--kernel", "--dir=" + dir));
    }

    private static String listed(Path pin, String type, int key, int value, int entries, String flags, boolean mmapable,
                                 boolean btf, String access, boolean needsSchema) {
        return "{\"path\":\"" + pin + "\",\"type\":\"" + type + "\",\"id\":" + id(pin) + ",\"key_size\":" + key
                + ",\"value_size\":" + value + ",\"max_entries\":" + entries + ",\"flags\":\"" + flags + "\",\"mmapable\":"
                + mmapable + ",\"btf\":" + btf + ",\"opens\":" + (access != null) + ",\"access\":"
                + (access == null ? "null" : "\"" + access + "\"") + ",\"needs_schema\":" + needsSchema + "}";
    }

    @Test
    void watchPollsTopDrawsAndExportServesAForeignPin() throws Exception {
        Path pin = btfArray("arr", "u64", 4);
        String a = pin.toString();
        assertEquals("", ms("set", a, "1", "5").ok().out());
        List<String> screen = topOnce(a).lines().toList();
        assertEquals(List.of("exit 0", "KEY              RATE/s   CHANGED  VALUE", "0                   0.0    0/0     0",
                "1                   0.0    0/0     5", "q quits"), List.of(screen.getFirst(), screen.get(4), screen.get(5),
                screen.get(6), screen.getLast()));
        assertTrue(screen.get(1).startsWith("mapsync top - " + pin + " (bpf, 4 x u64)   "), screen.get(1));

        // watch --poll sees what another program writes: entry 2 flips between 7 and 0 until the watch reports a change
        CompletableFuture<Cli> watch = CompletableFuture.supplyAsync(() -> Cli.in(dir, "watch", a, "--poll", "1ms",
                "--keys", "2", "--count", "1", "--timeout", "60s"));
        try (KernelMap map = KernelMap.openPin("arr", pin, false)) {
            MemorySegment v = Arena.ofAuto().allocate(8);
            for (long n = 0; !watch.isDone(); n++) {
                v.set(ValueLayout.JAVA_LONG, 0, n % 2 == 0 ? 7 : 0);
                map.store(2, v);
                Thread.sleep(1);
            }
        }
        Cli w = watch.get().ok();
        assertTrue(List.of("seq 1 key 2 pid 0 value 7\n", "seq 1 key 2 pid 0 value 0\n").contains(w.out()), w.out());

        ChildJvm exporter = Jvm.main(Main.class).args("export", "--dir", dir.toString(), "--port", "0", a).stderrToStdout().start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(exporter.process().getInputStream()));
            String first = out.readLine();
            assertTrue(first != null && first.startsWith("mapsync: serving http://127.0.0.1:"), first);
            String url = first.substring("mapsync: serving ".length());
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<String> values = body.lines().filter(l -> l.startsWith("mapsync_value{") && !l.contains("key=\"2\"")).toList();
            assertEquals(List.of("mapsync_value{field=\"value\",key=\"0\",map=\"" + pin + "\"} 0.0",
                    "mapsync_value{field=\"value\",key=\"1\",map=\"" + pin + "\"} 5.0",
                    "mapsync_value{field=\"value\",key=\"3\",map=\"" + pin + "\"} 0.0"), values);
        } finally {
            exporter.process().destroy();
            exporter.process().waitFor();
        }
        assertEquals(privateBefore, privateFolders(), "the exporter removes its private folder when it is stopped");
    }

    /**
     * Runs top on a terminal of 24 x 100 that script(1) makes, presses q once it drew, and returns its exit code and
     * what it drew, without escape sequences.
     */
    private String topOnce(String map) throws Exception {
        String top = String.join(" ", Jvm.main(Main.class).args("top", "--dir", dir.toString(), map).command());
        ProcessBuilder b = new ProcessBuilder("script", "-qec", "stty rows 24 cols 100; exec " + top, "/dev/null")
                .redirectErrorStream(true);
        b.environment().put("TERM", "xterm");
        Process p = b.start();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.InputStream in = p.getInputStream();
        for (int c; !out.toString(UTF_8).contains("q quits") && (c = in.read()) >= 0; ) out.write(c);
        p.getOutputStream().write('q');
        p.getOutputStream().close();
        in.transferTo(out);
        assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "top ends on q");
        String escapes = "\u001b(\\[[0-9;?]*[A-Za-z]|[()][0-9A-Z]|[78=>])|\r";
        return "exit " + p.exitValue() + "\n" + out.toString(UTF_8).replaceAll(escapes, "");
    }

}
