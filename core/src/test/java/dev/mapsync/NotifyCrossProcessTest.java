package dev.mapsync;

import dev.mapsync.testkit.ChangeCounter;
import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.TestJvm;
import dev.mapsync.testkit.CounterWorker;
import dev.mapsync.testkit.IdleSubscriber;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.PingPong;
import dev.mapsync.testkit.TestDirs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Notifications between separate JVM processes (and a C program). */
class NotifyCrossProcessTest {
    @RegisterExtension
    final MapDir maps = new MapDir("w");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoWatchersAccountForEveryChangeOfAWriterProcess(Backend b) {
        int entries = 16;
        long changes = 100_000; // CounterWorker makes two changes per round
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), entries).dir(dir).changelogCapacity(131072));
        try (SharedArray<Long> map = SharedArray.create(spec);
             ChildJvm w1 = TestJvm.start(ChangeCounter.class, dir.toString(), name, b.name(), "16", Long.toString(changes));
             ChildJvm w2 = TestJvm.start(ChangeCounter.class, dir.toString(), name, b.name(), "16", Long.toString(changes))) {
            w1.awaitLine("subscribed", 30);
            w2.awaitLine("subscribed", 30);
            try (ChildJvm writer = TestJvm.start(CounterWorker.class, dir.toString(), name, b.name(), "16", "0",
                    Long.toString(changes / 2))) {
                writer.awaitSuccess(120);
            }
            w1.awaitSuccess(120);
            w2.awaitSuccess(120);
            assertEquals("received=100000 missed=0 gaps=0 disorder=0", w1.output().lines().toList().getLast());
            assertEquals("received=100000 missed=0 gaps=0 disorder=0", w2.output().lines().toList().getLast());
            assertEquals(changes / 2, map.longs().get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSmallChangelogReportsMissesExactlyAndNeverLeavesAGap(Backend b) {
        long changes = 100_000;
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), 16).dir(dir).changelogCapacity(64));
        try (SharedArray<Long> map = SharedArray.create(spec);
             ChildJvm watcher = TestJvm.start(ChangeCounter.class, dir.toString(), name, b.name(), "16", Long.toString(changes))) {
            watcher.awaitLine("subscribed", 30);
            try (ChildJvm writer = TestJvm.start(CounterWorker.class, dir.toString(), name, b.name(), "16", "0",
                    Long.toString(changes / 2))) {
                writer.awaitSuccess(120);
            }
            watcher.awaitSuccess(120);
            String last = watcher.output().lines().toList().getLast();
            System.out.println("watcher behind a 64-entry changelog: " + last);
            var m = java.util.regex.Pattern.compile("received=(\\d+) missed=(\\d+) gaps=0 disorder=0").matcher(last);
            assertTrue(m.matches(), last);
            assertEquals(changes, Long.parseLong(m.group(1)) + Long.parseLong(m.group(2)));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void tenThousandPingPongsLoseNoWakeup(Backend b) {
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), 2).dir(dir));
        try (SharedArray<Long> map = SharedArray.create(spec);
             ChildJvm pong = TestJvm.start(PingPong.class, "pong", dir.toString(), name, b.name(), "10000", "2000")) {
            pong.awaitLine("subscribed", 30);
            try (ChildJvm ping = TestJvm.start(PingPong.class, "ping", dir.toString(), name, b.name(), "10000", "2000")) {
                ping.awaitSuccess(300);
                assertEquals("subscribed\nrounds=10000", ping.output().strip());
            }
            pong.awaitSuccess(60);
            assertEquals("subscribed\nrounds=10000", pong.output().strip());
            assertEquals(10000, map.longs().get(1));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aSleepingSubscriberUsesAlmostNoCpu(Backend b) throws Exception {
        ArraySpec<Long> spec = Machine.on(b, MapSpec.array(name, Codec.i64(), 2).dir(dir));
        try (SharedArray<Long> map = SharedArray.create(spec);
             ChildJvm sub = TestJvm.start(IdleSubscriber.class, dir.toString(), name, b.name(), "2")) {
            sub.awaitLine("subscribed", 30);
            Thread.sleep(1000); // start-up work (class loading, compilation) ends
            Duration before = sub.process().toHandle().info().totalCpuDuration().orElseThrow();
            Thread.sleep(3000);
            Duration after = sub.process().toHandle().info().totalCpuDuration().orElseThrow();
            long cpuMillis = after.minus(before).toMillis();
            System.out.println("CPU used by a sleeping subscriber in 3 s: " + cpuMillis + " ms");
            assertTrue(cpuMillis < 150, "a sleeping subscriber used " + cpuMillis + " ms of CPU in 3 s");
            assertTrue(sub.process().isAlive());
        }
    }

    @Test
    void thePollingWatcherSeesWritesACProgramMakesThroughItsOwnMapping() throws Exception {
        Machine.requireCompiler();
        Path build = Files.createTempDirectory("mapsync-poke"); // not /dev/shm, which is often mounted noexec
        Path c = build.resolve("poke.c");
        Files.writeString(c, """
                #include <fcntl.h>
                #include <stdint.h>
                #include <stdlib.h>
                #include <sys/mman.h>
                #include <sys/stat.h>
                #include <unistd.h>
                /* poke FILE INDEX VALUE: writes an i64 value through a mapping of the map file (FORMAT.md §5) */
                int main(int argc, char **argv) {
                    int fd = open(argv[1], O_RDWR);
                    struct stat st; fstat(fd, &st);
                    uint8_t *m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
                    uint64_t data = *(uint64_t *)(m + 80);
                    uint32_t stride = *(uint32_t *)(m + 32);
                    __atomic_store_n((int64_t *)(m + data + atoll(argv[2]) * stride), atoll(argv[3]), __ATOMIC_RELEASE);
                    return 0;
                }
                """);
        Path exe = build.resolve("poke");
        assertEquals(0, new ProcessBuilder("gcc", "-O2", "-o", exe.toString(), c.toString()).inheritIO().start().waitFor());
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), 8).dir(dir);
        try (SharedArray<Long> map = SharedArray.create(spec)) {
            List<ChangeEvent> seen = new CopyOnWriteArrayList<>();
            try (Subscription sub = map.watchPolling(Duration.ofMillis(20), 0, 7, seen::add);
                 ChangeCursor cursor = map.changes()) {
                Process p = new ProcessBuilder(exe.toString(), dir.resolve(name).toString(), "6", "4242").inheritIO().start();
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                assertEquals(0, p.exitValue());
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (seen.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
                assertEquals(List.of(new Change(6, 1, 0)), List.copyOf(seen));
                assertEquals(4242L, map.get(6));
                assertEquals(List.of(), cursor.poll(Duration.ofMillis(50)), "the change log cannot see the C write");
            }
        } finally {
            TestDirs.delete(build);
        }
    }
}
