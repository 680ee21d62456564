package dev.mapsync;

import dev.mapsync.testkit.Machine;
import dev.mapsync.internal.store.ArrayKind;
import dev.mapsync.internal.store.Opener;
import dev.mapsync.internal.store.MapRegion;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.asm.ProgramBuilder;
import dev.mapsync.internal.asm.Reg;
import dev.mapsync.internal.sys.Layouts;
import dev.mapsync.internal.store.Header;
import dev.mapsync.launch.Jvm;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static dev.mapsync.internal.sys.KernelAssumptions.bpftool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bpf backend through the public API: kernel array maps created, pinned, mapped, opened by name, seen by
 * bpftool and BPF programs, foreign pins adopted, and every bad input refused without leaving anything behind.
 */
class BpfSharedArrayTest {
    record Account(long id, long balance, @Chars(16) String owner) {}

    @TempDir
    Path dir;

    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    @BeforeEach
    void needsBpf() {
        Machine.requireBpf();
    }

    /** Class folders copied for a child that runs as another user. */
    private final List<Path> copies = new java.util.ArrayList<>();

    @AfterEach
    void removePins() {
        copies.forEach(TestDirs::delete);
    }

    private <V> ArraySpec<V> bpf(String name, Codec<V> codec, int entries) {
        pins.track(Bpffs.defaultPin(name));
        return MapSpec.array(name, codec, entries).backend(Backend.BPF).dir(dir);
    }

    private Path foreignPin(String prefix) {
        return pins.track(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName(prefix)));
    }

    private void assertNothingLeft(String name, Path pin) {
        assertFalse(Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS), "sidecar of " + name + " left behind");
        if (pin != null) assertFalse(Files.exists(pin, LinkOption.NOFOLLOW_LINKS), "pin " + pin + " left behind");
    }

    @Test
    void createMapPinOpenByNameAndDelete() throws Exception {
        String name = KernelAssumptions.uniqueName("acc");
        ArraySpec<Account> spec = bpf(name, Codec.record(Account.class), 64);
        Path pin = Bpffs.defaultPin(name);
        try (var accounts = SharedArray.create(spec)) {
            accounts.set(7, new Account(7, 100, "ada"));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pin)));

            try (var again = SharedArray.open(spec); var any = SharedArray.open(MapSpec.existing(name).dir(dir))) {
                assertEquals(new Account(7, 100, "ada"), again.get(7));
                again.longs("balance").getAndAdd(7, -10);
                assertEquals(90L, ((Map<?, ?>) any.get(7)).get("balance"), "existing(name) opens the bpf map too");
            }
            try (var same = SharedArray.openOrCreate(spec)) {
                assertEquals(90, same.get(7).balance());
            }

            MapInfo info = accounts.info();
            assertEquals(Backend.BPF, info.backend());
            assertEquals(dir.resolve(name), info.file());
            assertEquals(pin.toString(), info.details().get("pin"));
            assertEquals("mmap", info.details().get("access"));
            assertEquals("array, mmapable", info.details().get("kernel map"));
            assertEquals(List.of("kernel map id", "pin", "kernel map", "access"), List.copyOf(info.details().keySet()),
                    "details keep their display order");
            try (KernelMap kernel = KernelMap.openPin(name, pin, false)) {
                assertEquals(Integer.toString(kernel.info().id()), info.details().get("kernel map id"));
            }
            assertEquals(info.details(), SharedMaps.info(MapSpec.existing(name).dir(dir)).details(),
                    "a closed map's info says the same");
            List<MapInfo> listed = SharedMaps.list(dir);
            assertEquals(1, listed.size());
            assertEquals(Backend.BPF, listed.getFirst().backend());
            assertEquals(pin.toString(), listed.getFirst().details().get("pin"));
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        assertNothingLeft(name, pin);
        assertThrows(MapNotFoundException.class, () -> SharedArray.open(spec));
    }

    @Test
    void writesThroughTheMappingAndThroughBpfSyscallsSeeEachOther() {
        String name = KernelAssumptions.uniqueName("both");
        ArraySpec<Long> spec = bpf(name, Codec.i64(), 1000);
        try (MapRegion region = Opener.create(spec.blueprint(), ArrayKind.INSTANCE); Arena arena = Arena.ofConfined()) {
            MemorySegment data = region.data();
            assertEquals(8192, data.byteSize(), "1000 x 8 bytes, page-aligned");
            data.set(Layouts.LONG, 600 * 8, 0x600L);
            MemorySegment value = arena.allocate(8, 8);
            region.elementIo().load(600, value);                       // BPF_MAP_LOOKUP_ELEM
            assertEquals(0x600L, value.get(Layouts.LONG, 0));
            value.set(Layouts.LONG, 0, -5L);
            region.elementIo().store(999, value);                      // BPF_MAP_UPDATE_ELEM
            assertEquals(-5L, data.get(Layouts.LONG, 999 * 8));
        }
    }

    @Test
    void bpftoolShowsAndDumpsTheMapWithFieldNames() {
        Machine.requireBpftool();
        String name = KernelAssumptions.uniqueName("dump");
        Path pin = Bpffs.defaultPin(name);
        try (var accounts = SharedArray.create(bpf(name, Codec.record(Account.class), 2))) {
            accounts.set(1, new Account(7, 100, "ada"));
            String show = bpftool("map", "show", "pinned", pin.toString()).ok().out();
            assertTrue(show.contains(": array  name " + name.substring(0, 15) + "  flags 0x400"), show);
            assertTrue(show.contains("key 4B  value 32B  max_entries 2"), show);
            assertTrue(show.contains("btf_id"), show);
            String dump = bpftool("map", "dump", "pinned", pin.toString()).ok().out();
            for (String field : new String[] {"\"id\": 7", "\"balance\": 100", "\"owner\": \"ada\""}) {
                assertTrue(dump.contains(field), field + " in " + dump);
            }
            String c = bpftool("btf", "dump", "map", "pinned", pin.toString(), "format", "c").ok().out();
            assertTrue(c.contains("long long balance;") && c.contains("char owner[16];"), c);
        }
    }

    @Test
    void bpftoolUpdateIsReadThroughTheMapping() {
        Machine.requireBpftool();
        String name = KernelAssumptions.uniqueName("upd");
        try (var hits = SharedArray.create(bpf(name, Codec.i64(), 8))) {
            bpftool("map", "update", "pinned", Bpffs.defaultPin(name).toString(),
                    "key", "3", "0", "0", "0", "value", "42", "1", "0", "0", "0", "0", "0", "0").ok();
            assertEquals(42 + 256L, hits.get(3));
            assertEquals(42 + 256L, hits.longs().getAcquire(3));
        }
    }

    @Test
    void bpfProgramAtomicAddsRaceJavaGetAndAddWithoutLosingOne() throws Exception {
        String name = KernelAssumptions.uniqueName("race");
        int n = 1_000_000;
        try (var counters = SharedArray.create(bpf(name, Codec.i64(), 4));
             KernelMap map = KernelMap.openPin(name, Bpffs.defaultPin(name), false)) {
            ProgramBuilder b = new ProgramBuilder();
            ProgramBuilder.Label miss = b.label();
            b.lookupElement(map.fd(), 1, miss)
                    .mov(Reg.R1, 1)
                    .atomicAdd(ProgramBuilder.Width.DW, Reg.R0, 0, Reg.R1)
                    .bind(miss)
                    .mov(Reg.R0, 0)
                    .exit();
            LongSlots slots = counters.longs();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (Program p = Program.load(Program.Type.SOCKET_FILTER, b.build(), "add_one")) {
                Thread kernelSide = Thread.ofPlatform().start(() -> {
                    try {
                        p.testRun(n);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                for (int i = 0; i < n; i++) slots.getAndAdd(1, 1);
                kernelSide.join();
            }
            assertNull(failure.get());
            assertEquals(2L * n, slots.getVolatile(1));
        }
    }

    @Test
    void readOnlyHandleMapsTheKernelPagesProtRead() {
        String name = KernelAssumptions.uniqueName("ro");
        ArraySpec<Long> spec = bpf(name, Codec.i64(), 4);
        try (var writer = SharedArray.create(spec); var reader = SharedArray.openReadOnly(spec)) {
            writer.longs().set(0, 11);
            assertEquals(11L, reader.get(0));
            assertEquals(11L, reader.longs().get(0));
            assertThrows(MapAccessDeniedException.class, () -> reader.set(0, 1L));
            assertThrows(MapAccessDeniedException.class, () -> reader.longs().set(0, 1));
            reader.close();
            assertThrows(MapClosedException.class, () -> reader.get(0));
        }
    }

    @Test
    void adoptsAMapMadeByBpftoolAndOpensItByNameAfterwards() {
        Machine.requireBpftool();
        Path pin = foreignPin("bt");
        String name = pin.getFileName().toString();
        bpftool("map", "create", pin.toString(), "type", "array", "key", "4", "value", "8", "entries", "16",
                "name", "x", "flags", "1024").ok();
        try (var adopted = SharedArray.open(MapSpec.pinned(pin, Codec.i64()).dir(dir))) {
            assertEquals(16, adopted.length());
            adopted.set(5, 99L);
            adopted.longs().getAndAdd(5, 1);
            String lookup = bpftool("map", "lookup", "pinned", pin.toString(), "key", "5", "0", "0", "0").ok().out();
            assertTrue(lookup.contains("64 00 00 00 00 00 00 00"), lookup);
            assertEquals(pin.toString(), adopted.info().details().get("pin"));
        }
        Header sidecar = SharedMaps.info(MapSpec.existing(name).dir(dir)).backend() == Backend.BPF
                ? Kinds.readHeader(MapSpec.existing(name).dir(dir).blueprint()) : null;
        assertNotNull(sidecar, "adoption made a bpf sidecar");
        assertEquals(16, sidecar.entries());
        try (var byName = SharedArray.open(MapSpec.existing(name).dir(dir));
             var again = SharedArray.open(MapSpec.pinned(pin, Codec.i64()).dir(dir))) {
            assertEquals(100L, byName.get(5));
            assertEquals(100L, again.get(5));
        }
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        assertNothingLeft(name, pin);
    }

    @Test
    void adoptsTheSchemaOfAForeignMapFromItsBtf() {
        Path pin = foreignPin("btf");
        String name = pin.getFileName().toString();
        Schema schema = Codec.record(Account.class).schema();
        try (KernelMap made = KernelMap.createArray("libbpf_like", schema, 3)) {
            made.pin(pin);
        }
        try (var adopted = SharedArray.open(MapSpec.existingPin(pin).dir(dir))) {
            assertEquals(schema, adopted.codec().schema());
            adopted.set(2, Map.of("id", 1L, "balance", 2L, "owner", "bob"));
        }
        try (var typed = SharedArray.open(MapSpec.pinned(pin, Codec.record(Account.class)).dir(dir))) {
            assertEquals(new Account(1, 2, "bob"), typed.get(2));
        }
        SharedMaps.delete(MapSpec.existingPin(pin).dir(dir));
        assertNothingLeft(name, pin);
    }

    @Test
    void aMapThatCannotBeMappedIsReadAndWrittenThroughBpfSyscalls() {
        Machine.requireBpftool();
        Path pin = foreignPin("nomm");
        bpftool("map", "create", pin.toString(), "type", "array", "key", "4", "value", "8", "entries", "4",
                "name", "nomm").ok();
        try (var values = SharedArray.open(MapSpec.pinned(pin, Codec.u64()).dir(dir))) {
            values.set(3, -1L);
            assertEquals(-1L, values.get(3));
            String lookup = bpftool("map", "lookup", "pinned", pin.toString(), "key", "3", "0", "0", "0").ok().out();
            assertTrue(lookup.contains("ff ff ff ff ff ff ff ff"), lookup);
            assertEquals("syscall", values.info().details().get("access"));
            assertEquals("array, not mmapable", values.info().details().get("kernel map"));
            MapSyncException e = assertThrows(MapSyncException.class, values::longs);
            assertTrue(e.getMessage().contains("has no atomic slots"), e.getMessage());
            values.close();
            assertThrows(MapClosedException.class, () -> values.get(0));
        }
    }

    @Test
    void badPinsAreRefusedAndNothingIsMade() throws Exception {
        // outside bpffs
        Path notBpffs = Files.createFile(dir.resolve("plain"));
        Path sidecars = Files.createDirectory(dir.resolve("sidecars"));
        IllegalArgumentException outside = assertThrows(IllegalArgumentException.class,
                () -> SharedArray.open(MapSpec.existingPin(notBpffs).dir(sidecars)));
        assertEquals("pin path " + notBpffs + " is outside every bpf file system (bpffs): pins live in bpffs, such as"
                + " /sys/fs/bpf (mount -t bpf bpf /sys/fs/bpf)", outside.getMessage());

        // nothing pinned there
        Path missing = foreignPin("missing");
        MapNotFoundException notFound = assertThrows(MapNotFoundException.class,
                () -> SharedArray.open(MapSpec.pinned(missing, Codec.i64()).dir(sidecars)));
        assertTrue(notFound.getMessage().contains("nothing is pinned at " + missing), notFound.getMessage());

        // a program, not a map
        Path prog = foreignPin("prog");
        try (Program p = Program.load(Program.Type.SOCKET_FILTER, new ProgramBuilder().mov(Reg.R0, 0).exit().build(), "noop")) {
            p.pin(prog);
        }
        IncompatibleMapException program = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.existingPin(prog).dir(sidecars)));
        assertEquals("object type", program.field());
        assertTrue(program.getMessage().contains("a BPF prog pinned at " + prog), program.getMessage());
        assertTrue(Files.exists(prog), "the program's pin is not touched");

        // a map of another type, or of another value size than the spec says
        try (KernelMap eight = KernelMap.createArray("eight", Schema.scalar(Schema.Kind.I64), 4)) {
            Path pin = foreignPin("eight");
            eight.pin(pin);
            IncompatibleMapException size = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(MapSpec.pinned(pin, Codec.i32()).dir(sidecars)));
            assertEquals("value size", size.field());
            assertEquals("map '" + pin.getFileName() + "' pinned at " + pin + " does not match the spec: value size: the"
                    + " kernel map has 8, the spec asks 4 (i32)", size.getMessage());
        }
        try (KernelMap hash = KernelMap.createArray("h", Schema.scalar(Schema.Kind.I64), 1)) {
            assertTrue(hash.info().isArray());
        }
        Machine.requireBpftool();
        Path hashPin = foreignPin("hash");
        bpftool("map", "create", hashPin.toString(), "type", "hash", "key", "4", "value", "8", "entries", "4", "name", "h").ok();
        IncompatibleMapException hash = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.existingPin(hashPin).dir(sidecars)));
        assertEquals("kernel map type", hash.field());
        assertTrue(hash.getMessage().endsWith("is a hash map; SharedArray opens array maps (BPF_MAP_TYPE_ARRAY and"
                + " PERCPU_ARRAY) only; open it with SharedHashMap"), hash.getMessage());

        // a map without BTF cannot describe itself
        Path noBtf = foreignPin("nobtf");
        bpftool("map", "create", noBtf.toString(), "type", "array", "key", "4", "value", "8", "entries", "4", "name", "n",
                "flags", "1024").ok();
        IncompatibleMapException unknown = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(MapSpec.existingPin(noBtf).dir(sidecars)));
        assertTrue(unknown.getMessage().contains("has no BTF, so the layout of its 8-byte values is unknown; open it with"
                + " MapSpec.pinned(pin, codec)"), unknown.getMessage());

        try (var files = Files.list(sidecars)) {
            assertEquals(List.of(), files.toList(), "no sidecar was made for any refused pin");
        }
    }

    @Test
    void geometryThatDiffersFromTheSpecOrTheSidecarIsRefused() {
        String name = KernelAssumptions.uniqueName("geo");
        try (var ignored = SharedArray.create(bpf(name, Codec.i64(), 16))) {
            IncompatibleMapException entries = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(bpf(name, Codec.i64(), 32)));
            assertEquals("entries", entries.field());
            assertEquals("map '" + name + "' does not match the spec: entries: file has 16, spec asks 32"
                    + SharedArrayTest.TO_GO_ON, entries.getMessage());
            IncompatibleMapException value = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(bpf(name, Codec.i32(), 16)));
            assertEquals("value schema", value.field());
            assertEquals("map '" + name + "' does not match the spec: value schema: file has 'i64', 8 bytes, spec asks"
                    + " 'i32', 4 bytes" + SharedArrayTest.TO_GO_ON, value.getMessage());
            IncompatibleMapException backend = assertThrows(IncompatibleMapException.class,
                    () -> SharedArray.open(MapSpec.array(name, Codec.i64(), 16).dir(dir)));
            assertEquals("backend", backend.field());
        }

        // the pin replaced behind the sidecar's back by a map of another size
        Path pin = Bpffs.defaultPin(name);
        int recorded = Integer.parseInt(SharedMaps.info(MapSpec.existing(name).dir(dir)).details().get("kernel map id"));
        Bpffs.unpin(pin);
        int replacement;
        try (KernelMap other = KernelMap.createArray(name, Schema.scalar(Schema.Kind.I64), 32)) {
            other.pin(pin);
            replacement = other.info().id();
        }
        assertEquals(replacement + " (the sidecar recorded " + recorded + ": the pin was replaced)",
                SharedMaps.info(MapSpec.existing(name).dir(dir)).details().get("kernel map id"));
        IncompatibleMapException replaced = assertThrows(IncompatibleMapException.class,
                () -> SharedArray.open(bpf(name, Codec.i64(), 16)));
        assertEquals("entries", replaced.field());
        assertEquals("map '" + name + "': the kernel map pinned for it does not match its sidecar " + dir.resolve(name)
                + ": entries: kernel map has 32, sidecar has 16 (the pin was replaced; delete the sidecar to adopt the new map)",
                replaced.getMessage());

        // a sidecar whose pin is gone
        Bpffs.unpin(pin);
        Map<String, String> orphan = SharedMaps.info(MapSpec.existing(name).dir(dir)).details();
        assertEquals(recorded + " (recorded in the sidecar)", orphan.get("kernel map id"));
        assertEquals(pin + " (nothing is pinned there any more)", orphan.get("pin"));
        MapNotFoundException gone = assertThrows(MapNotFoundException.class, () -> SharedArray.open(bpf(name, Codec.i64(), 16)));
        assertTrue(gone.getMessage().contains("its sidecar " + dir.resolve(name) + " exists, but nothing is pinned at " + pin),
                gone.getMessage());
        SharedMaps.delete(MapSpec.existing(name).dir(dir));
        assertNothingLeft(name, pin);
    }

    @Test
    void aCreationThatFailsHalfwayLeavesNothing() throws Exception {
        // the pin exists: refused before a kernel map is made, and the existing pin is left alone
        String taken = KernelAssumptions.uniqueName("taken");
        Path takenPin = pins.track(Bpffs.defaultPin(taken));
        try (KernelMap squatter = KernelMap.createArray("squatter", Schema.scalar(Schema.Kind.I64), 1)) {
            squatter.pin(takenPin);
        }
        MapExistsException pinExists = assertThrows(MapExistsException.class, () -> SharedArray.create(bpf(taken, Codec.i64(), 4)));
        assertEquals("map '" + taken + "' already exists (pin " + takenPin + ")", pinExists.getMessage());
        assertTrue(Files.exists(takenPin));
        assertFalse(Files.exists(dir.resolve(taken)));

        // the sidecar's place is taken by an shm map: the kernel map was made and pinned, and both are undone
        String shm = KernelAssumptions.uniqueName("shm");
        try (var ignored = SharedArray.create(MapSpec.array(shm, Codec.i64(), 4).dir(dir))) {
            MapExistsException fileExists = assertThrows(MapExistsException.class, () -> SharedArray.create(bpf(shm, Codec.i64(), 4)));
            assertTrue(fileExists.getMessage().startsWith("map '" + shm + "' already exists"), fileExists.getMessage());
            assertFalse(Files.exists(Bpffs.defaultPin(shm)), "the pin made before the sidecar failed is removed");
            assertEquals(Header.BACKEND_SHM, Kinds.readHeader(MapSpec.existing(shm).dir(dir).blueprint()).backend());
        }

        // a name too long for the pin path the sidecar records
        String longName = "n".repeat(100);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> SharedArray.create(MapSpec.array(longName, Codec.i64(), 4).backend(Backend.BPF).dir(dir)));
        assertTrue(tooLong.getMessage().contains("a sidecar records at most 108"), tooLong.getMessage());
        assertNothingLeft(longName, Bpffs.defaultPin(longName));
    }

    @Test
    void unprivilegedProcessIsDeniedCreationAndReadsAReadOnlyPinThroughBpfSyscalls() throws Exception {
        Path setpriv = Machine.requireProgram("/usr/bin/setpriv", "util-linux");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String name = KernelAssumptions.uniqueName("shared");
        String fresh = KernelAssumptions.uniqueName("denied");
        pins.track(Bpffs.defaultPin(fresh));
        try (var map = SharedArray.create(bpf(name, Codec.i64(), 4).mode(0644))) {
            map.set(2, 42L);
            Path classes = TestDirs.worldReadableCopy(Path.of("target/classes"));
            Path testClasses = TestDirs.worldReadableCopy(Path.of("target/test-classes"));
            copies.add(classes.getParent());
            copies.add(testClasses.getParent());
            String classpath = classes + ":" + testClasses;
            List<String> child = Jvm.main(UnprivilegedBpfChild.class).jvmOptions("-XX:-UsePerfData")
                    .classPath(classpath).prefix(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups"))
                    .args(dir.toString(), name, fresh).command();
            var run = KernelAssumptions.run(child.toArray(String[]::new)).ok();
            List<String> lines = run.out().lines().toList();
            assertEquals(3, lines.size(), run.out() + run.err());
            assertTrue(lines.get(0).startsWith("create: MapAccessDeniedException: permission denied for bpf map '" + fresh + "'"),
                    lines.get(0));
            assertTrue(lines.get(0).endsWith("EPERM (needs CAP_BPF or root)"), lines.get(0));
            assertEquals("read: 42", lines.get(1), "a 0644 pin gives nobody a read-only descriptor: values come through bpf(2)");
            assertTrue(lines.get(2).startsWith("atomics: MapSyncException: map '" + name + "' has no atomic slots"), lines.get(2));
        }
        assertNothingLeft(fresh, Bpffs.defaultPin(fresh));
    }
}
