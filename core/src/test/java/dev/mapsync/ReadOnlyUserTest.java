package dev.mapsync;

import dev.mapsync.testkit.CPrograms;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.Intruder;
import dev.mapsync.testkit.LockHolder;
import dev.mapsync.testkit.OtherUser;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.testkit.WideValues;
import dev.mapsync.testkit.WideValues.Wide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user who may only read a map (mode 0644, in a folder only its owner writes) runs as a separate process
 * ({@link Intruder}) and tries to write it, lock it, subscribe to it, consume its queue, and lock its writers out with
 * open-file-description read locks over whole files. Nothing it does changes a value or stops a writer.
 */
class ReadOnlyUserTest {
    @RegisterExtension
    static final OtherUser user = new OtherUser();

    private Path dir;
    private final String array = "accounts";
    private final String ring = "jobs";
    private ArraySpec<Long> spec;
    private RingSpec ringSpec;

    @BeforeEach
    void setUp() throws Exception {
        dir = TestDirs.create();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        spec = MapSpec.array(array, Codec.i64(), 4).dir(dir).mode(0644);
        ringSpec = MapSpec.ring(ring, 4096).dir(dir).mode(0644);
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            map.set(0, 42L);
        }
        SharedRing.create(ringSpec).close();
    }

    private final List<Path> copies = new java.util.ArrayList<>();

    @AfterEach
    void tearDown() {
        TestDirs.delete(dir);
        copies.forEach(TestDirs::delete);
    }

    private Path file(String name) {
        return dir.resolve(name);
    }

    /** A process that may not read its own /proc/self/auxv (not dumpable) finds the page size from libc. */
    @Test
    void aProcessThatIsNotDumpableStillOpensMaps() {
        var run = OtherUser.run(user.javaAs(dev.mapsync.testkit.NotDumpable.class, dir.toString(), array)).ok();
        assertEquals(List.of("page size " + dev.mapsync.internal.sys.Arch.PAGE_SIZE, "entry 0 42"),
                run.out().lines().toList());
    }

    @Test
    void aReaderCanNeitherWriteNorLockNorSubscribeNorConsume() {
        String before = TestDirs.fingerprint(file(array));
        var run = OtherUser.run(user.javaAs(Intruder.class, "attempts", dir.toString(), array, ring));
        String denied = "MapAccessDeniedException: permission denied for map '";
        assertEquals(List.of(
                "open read-write: " + denied + array + "': open(" + file(array) + "): EACCES (permission denied)",
                "write the file: AccessDeniedException: " + file(array),
                "read: 42",
                "set: MapAccessDeniedException: map '" + array + "' is open read-only; writes are refused",
                "add: MapAccessDeniedException: map '" + array + "' is open read-only; writes are refused",
                "lock: MapAccessDeniedException: map '" + array + "' is open read-only; it cannot take locks",
                "subscribe: MapAccessDeniedException: map '" + array + "' is open read-only; subscribing registers in the"
                        + " map, so open it read-write, or use a polling watcher",
                "open ring read-write: " + denied + ring + "': open(" + file(ring) + "): EACCES (permission denied)",
                "consume: MapAccessDeniedException: ring '" + ring + "' is open read-only; consuming moves its consumer"
                        + " position, so open it read-write",
                "produce: MapAccessDeniedException: ring '" + ring + "' is open read-only; writes are refused",
                "liveness file: AccessDeniedException: " + file(array + ".live")),
                run.out().lines().toList(), run.err());
        assertEquals(0, run.exit(), run.err());
        assertEquals(before, TestDirs.fingerprint(file(array)), "the map is exactly as it was");
    }

    @Test
    void readLocksOverWholeFilesLockNoWriterOut() throws Exception {
        List<String> targets = List.of(file(array).toString(), file(array + ".live").toString(), file(ring).toString(),
                file(ring + ".live").toString());
        try (ChildJvm intruder = user.jvmAs(Intruder.class).args("deny").args(targets).start()) {
            intruder.awaitLine("holding", 60);


            // writers claim process slots, lock, write and see each other's changes
            try (SharedArray<Long> a = SharedArray.open(spec); SharedArray<Long> b = SharedArray.open(spec);
                 ChangeCursor changes = b.changes(1, 1)) {
                try (LockGuard held = a.lock(1)) {
                    assertFalse(held.previousOwnerDied());
                    assertEquals(Optional.empty(), java.util.concurrent.CompletableFuture.supplyAsync(() -> b.tryLock(1)).get(),
                            "the lock is held by a live handle");
                    a.set(1, 7L);
                }
                assertEquals(7L, b.get(1));
                List<ChangeEvent> seen = changes.poll(Duration.ofSeconds(10));
                assertEquals(1, seen.size(), seen.toString());
                assertEquals(1, ((Change) seen.getFirst()).key());
            }

            // a writer in another process that dies holding a lock is still known dead, and only then
            try (SharedArray<Long> map = SharedArray.open(spec)) {
                try (ChildJvm holder = TestJvm.start(LockHolder.class, dir.toString(), array, "SHM", "4", "2")) {
                    holder.awaitLine("locked", 60);
                    assertEquals(Optional.empty(), map.tryLock(2), "its holder lives");
                    holder.kill();
                    try (LockGuard taken = map.lock(2, Duration.ofSeconds(10))) {
                        assertTrue(taken.previousOwnerDied());
                    }
                }
            }

            // the ring takes records and has its one consumer
            try (SharedRing producer = SharedRing.open(ringSpec); SharedRing consuming = SharedRing.open(ringSpec);
                 RingConsumer consumer = consuming.consumer()) {
                assertTrue(producer.offer(new byte[]{1, 2, 3}));
                assertArrayEquals(new byte[]{1, 2, 3}, consumer.poll(Duration.ofSeconds(10)));
                ConsumerBusyException busy = org.junit.jupiter.api.Assertions.assertThrows(ConsumerBusyException.class,
                        producer::consumer);
                assertTrue(busy.getMessage().startsWith("ring '" + ring + "' already has a consumer: pid " + ProcessHandle.current().pid()),
                        busy.getMessage());
            }
            assertTrue(intruder.process().isAlive(), "the read locks were held throughout");
            // over the map files; the liveness files, which hold the protocol's locks, it may not even open
            assertEquals(List.of(
                    "lock " + targets.get(0) + ": read lock on [0, infinity)",
                    "lock " + targets.get(1) + ": open(" + targets.get(1) + "): EACCES (permission denied)",
                    "lock " + targets.get(2) + ": read lock on [0, infinity)",
                    "lock " + targets.get(3) + ": open(" + targets.get(3) + "): EACCES (permission denied)",
                    "holding"), intruder.output().lines().toList());
        }
    }

    /**
     * Java and C readers that may not open the liveness file (0600 for a 0644 map) judge a writer from its slot record:
     * a writer paused in the middle of a write is alive, so they wait for it; once it is killed, the entry it was
     * writing is torn and the others read.
     */
    @Test
    void aReaderWhoMayNotOpenTheLivenessFileJudgesWritersByTheirSlotRecords() throws Exception {
        String wide = "wide";
        int entries = 8;
        Path cReader = readableCopy(CPrograms.example("reader", Backend.SHM));
        List<String> cRead = user.as(cReader.toString(), dir.resolve(wide).toString(), "--timeout-ms", "300", "3");
        try (SharedArray<Wide> map = SharedArray.create(WideValues.spec(dir, wide, entries).lockStripes(1).mode(0644))) {
            for (int i = 0; i < entries; i++) map.set(i, Wide.of(i));
            long writerPid;
            try (ChildJvm writer = TestJvm.start(LockCrossProcessTest.PausedWriter.class, dir.toString(), wide, "SHM",
                    Integer.toString(entries), "3")) {
                writer.awaitLine("paused mid-write", 60);
                writerPid = writer.pid();
                var waiting = OtherUser.run(user.javaAs(Intruder.class, "read", dir.toString(), wide,
                        Integer.toString(entries), "3", "--timeout-ms", "300"));
                String line = waiting.out().strip();
                assertTrue(line.matches("get 3: LockTimeoutException: timed out after 0\\.[3-9] s reading entry 3 of map '"
                        + wide + "': a write by pid " + writer.pid() + " \\(alive\\) has been in progress all that time"), line);
                var cWaiting = OtherUser.run(cRead);
                assertEquals(124, cWaiting.exit(), cWaiting.err());
                assertEquals("[3] timed out: a live writer kept writing its stripe for 300 ms\n", cWaiting.out());
                writer.kill();
            }
            var after = OtherUser.run(user.javaAs(Intruder.class, "read", dir.toString(), wide, Integer.toString(entries),
                    "3", "4", "--timeout-ms", "10000"));
            assertEquals(List.of("get 3: TornEntryException: entry 3 of map '" + wide + "' was being written when its writer"
                            + " (pid " + writerPid + ") died, so it may be half-written; it cannot be read until a lock"
                            + " owner writes it again (the next lock of the entry reports previousOwnerDied())", "get 4: 4"),
                    after.out().lines().toList(), after.err());
            var cAfter = OtherUser.run(user.as(cReader.toString(), dir.resolve(wide).toString(), "3", "4"));
            assertEquals(6, cAfter.exit(), cAfter.err());
            assertEquals("[3] torn: its writer died while writing it; it cannot be read until a lock owner writes it again\n"
                    + "[4]\n  words = [4, 4, 4, 4, 4, 4, 4, 4]\n", cAfter.out());
        }
    }

    /** A copy of a program the other user may run (the build may be under a folder only root may enter). */
    private Path readableCopy(Path program) throws java.io.IOException {
        Path folder = Files.createTempDirectory(Path.of("/tmp"), "mapsync-c-");
        copies.add(folder);
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path copy = Files.copy(program, folder.resolve(program.getFileName()));
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
        return copy;
    }
}
