package dev.mapsync;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.Header;
import dev.mapsync.internal.sys.KernelAssumptions;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.testkit.CPrograms;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.GatedAdder;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.Peer;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * C programs built on libmapsync ({@code clients/c}) share maps that Java made: a C counter races Java processes
 * on one value, a C reader prints records field by field and never sees a value half-written, and the header
 * lays schemas out exactly as the Java library does. On the bpf backend the C programs open the pin with libbpf
 * and map the kernel map's own pages.
 */
class CInteropTest {
    private static final int ENTRIES = 4, COUNTER = 1, READY = 2, GO = 3;

    @TempDir
    Path dir;

    private final String name = KernelAssumptions.uniqueName("c");
    @RegisterExtension
    final KernelAssumptions.Pins pins = new KernelAssumptions.Pins();

    private <V> ArraySpec<V> on(Backend b, ArraySpec<V> spec) {
        if (b == Backend.BPF) pins.track(Bpffs.defaultPin(spec.name()));
        return Machine.on(b, spec.dir(dir));
    }

    /** How a C program names the map: by name, in the folder MAPSYNC_DIR names. */
    private String cName(Backend b) {
        return (b == Backend.BPF ? "bpf:" : "") + name;
    }

    private Map<String, String> env() {
        return Map.of("MAPSYNC_DIR", dir.toString());
    }

    private CPrograms.Result run(Path program, String... args) {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        return CPrograms.run(env(), command);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCCounterRacesTwoJavaProcessesOnOneValueAndNoIncrementIsLost(Backend b) throws Exception {
        Path counter = CPrograms.example("counter", b);
        int n = 500_000;
        try (SharedArray<Long> map = SharedArray.create(on(b, MapSpec.array(name, Codec.i64(), ENTRIES)))) {
            LongSlots slots = map.longs();
            String[] javaArgs = {dir.toString(), name, b.name(), Integer.toString(ENTRIES), Integer.toString(COUNTER),
                    Integer.toString(n), Integer.toString(READY), Integer.toString(GO)};
            Path cOut = dir.resolve("c.out");
            ProcessBuilder c = new ProcessBuilder(counter.toString(), cName(b), Integer.toString(COUNTER), Integer.toString(n),
                    "--gate", READY + "," + GO).redirectErrorStream(true).redirectOutput(cOut.toFile());
            c.environment().putAll(env());
            try (ChildJvm a = TestJvm.start(GatedAdder.class, javaArgs); ChildJvm j = TestJvm.start(GatedAdder.class, javaArgs)) {
                Process cProcess = c.start();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (slots.getVolatile(READY) < 3) {
                        if (!cProcess.isAlive() && cProcess.exitValue() != 0 || System.nanoTime() > deadline) {
                            throw new AssertionError("not every racer got ready: C said " + Files.readString(cOut)
                                    + "\n" + a.output() + "\n" + j.output());
                        }
                        Thread.sleep(1);
                    }
                    slots.setRelease(GO, 1);
                    assertTrue(cProcess.waitFor(120, TimeUnit.SECONDS), "the C counter finishes");
                    a.awaitSuccess(120);
                    j.awaitSuccess(120);
                    assertEquals(0, cProcess.exitValue(), Files.readString(cOut));
                } finally {
                    cProcess.destroyForcibly();
                }
                assertEquals("added " + n + " to value " + COUNTER + "\n", Files.readString(cOut));
                assertEquals("added " + n, a.output().strip());
                assertEquals("added " + n, j.output().strip());
            }
            assertEquals(3L * n, slots.getVolatile(COUNTER));
            assertEquals(3L, slots.getVolatile(READY));
        }
    }

    private static final String RECORD_SCHEMA = "id:i64,balance:i64,owner:char[16],pos:{x:f32,y:f64},tags:u8[3],on:bool,neg:i16";

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCReaderPrintsARecordFieldByFieldFromTheSchemaInTheHeader(Backend b) {
        Path reader = CPrograms.example("reader", b);
        try (SharedArray<Object> map = SharedArray.create(on(b, MapSpec.array(name, Codec.of(Schema.parse(RECORD_SCHEMA)), 3)))) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("id", 7L);
            value.put("balance", -100L);
            value.put("owner", "Ada \"the\" first");
            value.put("pos", Map.of("x", 1.5f, "y", -0.25));
            value.put("tags", new byte[]{1, 2, (byte) 255});
            value.put("on", true);
            value.put("neg", (short) -3);
            map.set(2, value);

            CPrograms.Result r = run(reader, cName(b), "2", "0");
            assertEquals(0, r.exit(), r.err());
            assertEquals("""
                    [2]
                      id = 7
                      balance = -100
                      owner = "Ada \\"the\\" first"
                      pos.x = 1.5
                      pos.y = -0.25
                      tags = [1, 2, 255]
                      on = true
                      neg = -3
                    [0]
                      id = 0
                      balance = 0
                      owner = ""
                      pos.x = 0
                      pos.y = 0
                      tags = [0, 0, 0]
                      on = false
                      neg = 0
                    """, r.out());
            assertEquals("", r.err());

            CPrograms.Result outOfRange = run(reader, cName(b), "3");
            assertEquals(1, outOfRange.exit());
            assertEquals("reader: index 3 is out of range for map " + cName(b) + " (0..2)\n", outOfRange.err());
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCReaderNeverSeesAValueHalfWrittenByAJavaWriter(Backend b) throws Exception {
        Path check = CPrograms.testProgram("wide_check", b);
        int entries = 8;
        try (SharedArray<Wide> map = SharedArray.create(on(b, WideValues.spec(dir, name, entries).lockStripes(2)))) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(0));
            Path stop = dir.resolve("stop");
            try (ChildJvm writer = TestJvm.start(WideValues.class, "write", "wide", dir.toString(), name, b.name(),
                    Integer.toString(entries), stop.toString())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (map.get(entries - 1).words()[0] == 0) { // the writer is writing
                    if (!writer.process().isAlive() || System.nanoTime() > deadline) throw new AssertionError(writer.output());
                    Thread.sleep(1);
                }
                CPrograms.Result r = run(check, cName(b), "1000000");
                Files.createFile(stop);
                writer.awaitSuccess(60);
                assertEquals(0, r.exit(), r.err());
                System.out.println("C reader on " + b + ": " + r.out().strip() + "; Java writer: " + writer.output().strip());
                assertTrue(r.out().startsWith("reads=1000000 torn=0 errors=0 changes="), r.out());
                long changes = Long.parseLong(r.out().strip().substring(r.out().indexOf("changes=") + 8));
                assertTrue(changes > 0, "the values changed while the C reader read them: " + r.out());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aCReaderWaitsForALiveWriterAndRefusesTheEntryADeadOneLeftHalfWritten(Backend b) throws Exception {
        Path reader = CPrograms.example("reader", b);
        int entries = 8;
        // one stripe: while entry 3 is being written, every entry waits; after the writer's death only 3 is torn
        try (SharedArray<Wide> map = SharedArray.create(on(b, WideValues.spec(dir, name, entries).lockStripes(1)))) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            try (ChildJvm writer = TestJvm.start(LockCrossProcessTest.PausedWriter.class, dir.toString(), name, b.name(),
                    Integer.toString(entries), "3")) {
                writer.awaitLine("paused mid-write", 30);
                CPrograms.Result waiting = run(reader, cName(b), "--timeout-ms", "300", "3");
                assertEquals(124, waiting.exit(), waiting.err());
                assertEquals("[3] timed out: a live writer kept writing its stripe for 300 ms\n", waiting.out());
                writer.kill();
            }
            CPrograms.Result torn = run(reader, cName(b), "3", "4");
            assertEquals(6, torn.exit(), torn.err());
            assertEquals("[3] torn: its writer died while writing it; it cannot be read until a lock owner writes it again\n"
                    + "[4]\n  words = [4, 4, 4, 4, 4, 4, 4, 4]\n", torn.out());
            try (LockGuard g = map.lock(3)) {
                assertTrue(g.previousOwnerDied());
                map.set(3, Wide.of(33));
            }
            CPrograms.Result repaired = run(reader, cName(b), "3");
            assertEquals(0, repaired.exit(), repaired.err());
            assertEquals("[3]\n  words = [33, 33, 33, 33, 33, 33, 33, 33]\n", repaired.out());
        }
    }

    /** A header no creator leaves is refused at once, as Java refuses it, not after the open's 5 s wait for a creator. */
    @Test
    void aReadyWordNoCreatorWritesIsCorruptToACOpenAtOnce() throws IOException {
        Path counter = CPrograms.example("counter", Backend.SHM);
        String[][] cases = {
                {"7", "map %s is corrupt: its ready word is 7, not 0 (being made) or 1 (ready)"},
                {"-1", "map %s is corrupt: its ready word is 4294967295, not 0 (being made) or 1 (ready)"},
                {"magic", "map %s is corrupt: it is marked ready, but its first bytes are zero, not \"MAPSYNC\\0\""}};
        for (String[] c : cases) {
            String map = name + "r" + c[0].replace("-", "m");
            try (SharedArray<Long> hits = SharedArray.create(MapSpec.array(map, Codec.i64(), 2).dir(dir))) {
                Path file = hits.info().file();
                if (c[0].equals("magic")) Peer.putLong(file, 0, 0);
                else Peer.putInt(file, Header.READY_OFFSET, Integer.parseInt(c[0]));
                long start = System.nanoTime();
                CPrograms.Result r = run(counter, map, "0", "1");
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertEquals("counter: " + c[1].formatted(map) + "\n", r.err());
                assertEquals(3, r.exit());
                assertTrue(millis < 4_000, "took " + millis + " ms (the open's wait for a creator is 5 s)");
            }
        }
    }

    @Test
    void badMapsAreRefusedWithTheCommandsExitCodes() throws IOException {
        Path counter = CPrograms.example("counter", Backend.SHM);
        CPrograms.Result missing = run(counter, "nope", "0", "1");
        assertEquals(2, missing.exit());
        assertEquals("counter: no map nope (no file " + dir.resolve("nope") + ")\n", missing.err());

        Files.writeString(dir.resolve("junk"), "x".repeat(5000));
        CPrograms.Result junk = run(counter, dir.resolve("junk").toString(), "0", "1");
        assertEquals(3, junk.exit());
        assertEquals("counter: " + dir.resolve("junk") + " is not a mapsync map (its first bytes are not \"MAPSYNC\\0\")\n",
                junk.err());

        Files.write(dir.resolve("short"), new byte[100]);
        CPrograms.Result truncated = run(counter, "short", "0", "1");
        assertEquals(3, truncated.exit());
        assertEquals("counter: map short is truncated: the file has 100 bytes, fewer than a header (4096)\n", truncated.err());

        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("junk"));
        CPrograms.Result link = run(counter, "link", "0", "1");
        assertEquals(4, link.exit());
        assertEquals("counter: refusing map link: " + dir.resolve("link") + " is a symbolic link\n", link.err());

        // folders are checked as the Java library checks them: no link, none that anyone may write without the sticky bit
        Files.createSymbolicLink(dir.resolve("linked"), dir);
        CPrograms.Result linked = run(counter, dir.resolve("linked").resolve("junk").toString(), "0", "1");
        assertEquals(4, linked.exit());
        assertEquals("counter: refusing folder " + dir.resolve("linked") + ": it is a symbolic link (owned by uid " + LibC.geteuid() + "), and"
                + " mapsync never follows links; remove it as root, or set MAPSYNC_DIR to a folder you own\n", linked.err());
        // however the folder is spelled: a trailing '/', "." and ".." parts, a path relative to the working folder
        for (String spelled : new String[]{dir.resolve("linked") + "/", dir.resolve("linked") + "/.",
                dir.resolve("linked") + "/../linked//"}) {
            CPrograms.Result respelled = CPrograms.run(Map.of("MAPSYNC_DIR", spelled), List.of(counter.toString(), "junk", "0", "1"));
            assertEquals(4, respelled.exit(), spelled);
            assertEquals("counter: refusing folder " + dir.resolve("linked") + ": it is a symbolic link (owned by uid "
                    + LibC.geteuid() + "), and mapsync never follows links; remove it as root, or set MAPSYNC_DIR to a"
                    + " folder you own\n", respelled.err(), spelled);
        }
        CPrograms.Result relative = CPrograms.run(Map.of(), List.of("sh", "-c", "cd " + dir + " && " + counter + " linked/junk 0 1"));
        assertEquals(4, relative.exit());
        assertEquals("counter: refusing folder " + dir.resolve("linked") + ": it is a symbolic link (owned by uid "
                + LibC.geteuid() + "), and mapsync never follows links; remove it as root, or set MAPSYNC_DIR to a"
                + " folder you own\n", relative.err());
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        CPrograms.Result unsticky = run(counter, open.resolve("junk").toString(), "0", "1");
        assertEquals(4, unsticky.exit());
        assertEquals("counter: refusing folder " + open + " (owned by uid " + LibC.geteuid() + "): anyone may write it and it lacks the sticky"
                + " bit, so anyone could replace its maps\n", unsticky.err());

        try (SharedArray<Object> records = SharedArray.create(MapSpec.array(name, Codec.of(Schema.parse("a:i64,b:i32")), 2).dir(dir))) {
            assertEquals(2, records.length());
            CPrograms.Result notCounters = run(counter, name, "0", "1");
            assertEquals(3, notCounters.exit());
            assertEquals("counter: map " + name + " holds a:i64,b:i32, not i64 or u64 values\n", notCounters.err());
            CPrograms.Result notBpf = run(counter, "bpf:" + name, "0", "1");
            assertEquals(3, notBpf.exit());
            assertEquals("counter: map bpf:" + name + " is an shm map, not a bpf map\n", notBpf.err());
        }
        try (SharedArray<Long> hits = SharedArray.create(MapSpec.array(name + "h", Codec.i64(), 2).dir(dir))) {
            CPrograms.Result range = run(counter, name + "h", "2", "1");
            assertEquals(1, range.exit());
            assertEquals("counter: index out of range for map " + name + "h (0..1)\n", range.err());
            assertEquals(0L, hits.get(0) + hits.get(1), "nothing was added");
        }
    }

    @Test
    void theHeaderLaysOutSchemasExactlyAsTheJavaLibraryDoes() {
        Path layout = CPrograms.testProgram("schema_layout", Backend.SHM);
        for (String text : List.of("i64", "u8", "char[5]", "f32[3]", "a:i8,b:i64", "a:i8,b:i16,c:i8",
                "id:i64,balance:i64,owner:char[16]", RECORD_SCHEMA, "a:u8,s:{b:u8,t:{c:i32,d:u8},e:u16},f:u8",
                "x:bool,y:u16[3],z:{w:f64},v:char[3]", "c:char[7],i:i32", "n:{m:{k:u8}},o:u8", "{a:i8,b:i32}")) {
            Schema schema = Schema.parse(text);
            StringBuilder expected = new StringBuilder("size " + schema.size() + "\n");
            leaves(schema, "", 0, expected);
            CPrograms.Result r = run(layout, text);
            assertEquals(expected.toString(), r.out(), text);
        }
        for (String bad : List.of("i65", "a:", "a:i8,", "char", "char[0]", "a:i8}", "a:u8[", "a:i8b:i8", "a:{b:i8")) {
            assertThrows(IllegalArgumentException.class, () -> Schema.parse(bad), bad);
            assertEquals("error Invalid argument\n", run(layout, bad).out(), bad);
        }
    }

    /** The leaf fields of a schema as schema_layout prints them, from the Java library's layout. */
    private static void leaves(Schema s, String name, int offset, StringBuilder out) {
        switch (s.kind()) {
            case STRUCT -> {
                for (Schema.Field f : s.fields()) leaves(f.type(), name.isEmpty() ? f.name() : name + "." + f.name(), offset + f.offset(), out);
            }
            case CHARS -> out.append(label(name)).append(' ').append(offset).append(" 1 ").append(s.length()).append(" chars\n");
            case ARRAY -> out.append(label(name)).append(' ').append(offset).append(' ').append(s.element().orElseThrow().size())
                    .append(' ').append(s.length()).append(" array\n");
            default -> out.append(label(name)).append(' ').append(offset).append(' ').append(s.size()).append(" 1 scalar\n");
        }
    }

    private static String label(String name) {
        return name.isEmpty() ? "-" : name;
    }
}
