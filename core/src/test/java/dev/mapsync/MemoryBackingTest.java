package dev.mapsync;

import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.Pages;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Tmpfs;
import dev.mapsync.testkit.ShrinkingMap;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pages a map file cannot back: holes (a sparse copy, a punched hole) and a file that shrinks under an open handle.
 * A map is backed whole before it is used; a file that shrinks later makes operations fail, never the JVM crash.
 */
class MemoryBackingTest {
    @RegisterExtension
    final MapDir maps = new MapDir("b");

    record Account(long id, long balance, @Chars(16) String owner) {}

    /** Every kind, shrunk to nothing, to its header, to its header and control region; interpreted, C1, C2. */
    static Stream<Arguments> shrinks() {
        Stream<Arguments> shm = Stream.of("array", "hash", "queue", "barrier").flatMap(kind ->
                Stream.of("0", "4096", "data").filter(to -> !(kind.equals("barrier") && to.equals("data"))).flatMap(to ->
                        Stream.of("interpreted", "c1", "c2").map(mode -> Arguments.of(kind, Backend.SHM, to, mode))));
        Stream<Arguments> bpf = Stream.of(Arguments.of("array", Backend.BPF, "4096", "interpreted"),
                Arguments.of("array", Backend.BPF, "0", "c2"), Arguments.of("hash", Backend.BPF, "4096", "c2"));
        return Stream.concat(shm, bpf);
    }

    @ParameterizedTest(name = "{0} on {1}, shrunk to {2}, {3}")
    @MethodSource("shrinks")
    void everyOperationOnAShrunkFileFailsWithAnError(String kind, Backend backend, String shrinkTo, String mode)
            throws Exception {
        Machine.require(backend);
        Path dir = maps.dir();
        boolean interpreted = mode.equals("interpreted");
        String warmUps = switch (mode) {
            case "c1" -> "3000";       // compiled by C1
            case "c2" -> "20000";      // and by C2
            default -> "0";
        };
        List<String> options = Stream.concat(Stream.of("-XX:ErrorFile=" + dir.resolve("hs_err_%p.log")),
                interpreted ? Stream.of("-Xint") : Stream.empty()).toList();
        try (ChildJvm child = TestJvm.of(ShrinkingMap.class).jvmOptions(options)
                .args(kind, dir.toString(), maps.name(), backend.name(), shrinkTo, warmUps).start()) {
            int code = child.await(180);
            String out = child.output();
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(),
                        "the JVM crashed:\n" + out);
            }
            assertEquals(0, code, out);
            assertTrue(out.strip().endsWith("done"), out);
            Set<String> allowed = Set.of("ok", "CorruptMapException", "BarrierBrokenException", "WaitTimeoutException");
            int failed = 0;
            for (String line : out.lines().filter(l -> l.contains(" -> ")).toList()) {
                String outcome = line.substring(line.indexOf(" -> ") + 4);
                String type = outcome.contains(":") ? outcome.substring(0, outcome.indexOf(':')) : outcome;
                boolean vanished = outcome.startsWith("CorruptMapException: ") && outcome.contains(" lost its memory while open:");
                // compiled code may deliver the JVM's report a little after the access, past mapsync's handler
                boolean jvmReport = !interpreted && outcome.startsWith("InternalError: a fault occurred in")
                        && outcome.contains("unsafe memory access");
                assertTrue(allowed.contains(type) || jvmReport, line + "\n" + out);
                if (type.equals("CorruptMapException")) assertTrue(vanished, line);
                if (vanished || jvmReport) failed++;
            }
            assertTrue(failed > 0, "some operation must have touched the vanished pages:\n" + out);
        }
    }

    @Test
    void aSparseMapIsBackedWhenOpened() throws Exception {
        ArraySpec<Account> spec = MapSpec.array(maps.name(), Account.class, 4000).dir(maps.dir());
        SharedArray.create(spec).close();
        Path file = maps.dir().resolve(maps.name());
        punchHole(file, 225280, 4096);
        assertTrue(firstHole(file) < Files.size(file), "the test made a hole");
        try (SharedArray<Account> map = SharedArray.open(spec)) {
            assertEquals(Files.size(file), firstHole(file), "opening backed every page");
            map.set(3000, new Account(1, 2, "ada"));
            assertEquals(new Account(1, 2, "ada"), map.get(3000));
        }
    }

    @Test
    void aSparseMapOnAFullFileSystemIsRefusedCleanly() throws Exception {
        Path mount = maps.dir().resolve("small");
        Files.createDirectories(mount);
        if (!Tmpfs.mount(mount, "2m")) return;
        try {
            Path dir = mount.resolve("maps");
            ArraySpec<Account> spec = MapSpec.array("st", Account.class, 4000).dir(dir);
            SharedArray.create(spec).close();
            punchHole(dir.resolve("st"), 225280, 4096);
            fill(mount.resolve("fill"));
            MapSyncException e = assertThrows(MapSyncException.class, () -> SharedArray.open(spec));
            assertTrue(e.getMessage().startsWith("no room for map 'st': "), e.getMessage());
            MapSyncException ro = assertThrows(MapSyncException.class, () -> SharedArray.openReadOnly(spec));
            assertTrue(ro.getMessage().startsWith("no room for map 'st': "), ro.getMessage());
            Files.delete(mount.resolve("fill"));
            try (SharedArray<Account> map = SharedArray.open(spec); LockGuard held = map.lock(3000)) {
                assertFalse(held.previousOwnerDied());
            }
        } finally {
            Tmpfs.unmount(mount);
        }
    }

    static void punchHole(Path file, long offset, long length) throws Exception {
        Process p = new ProcessBuilder("fallocate", "-p", "-o", Long.toString(offset), "-l", Long.toString(length),
                file.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
    }

    static void fill(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(4096);
            try {
                while (true) {
                    page.clear();
                    ch.write(page);
                }
            } catch (IOException full) {
                // the file system is full, as the test wants
            }
        }
    }

    static long firstHole(Path file) {
        int fd = LibC.open(file.toString(), LibC.O_RDONLY, 0);
        try {
            return Pages.firstHole(fd);
        } finally {
            LibC.close(fd);
        }
    }
}
