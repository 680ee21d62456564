package dev.mapsync;

import dev.mapsync.internal.store.ControlLayout;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Handles an application drops without closing them give their process slot (and mappings, descriptors, consumer
 * role) back once the garbage collector finds them unreachable, so that a leak of handles does not lock a map up
 * for good; and the message when every slot is taken says what holds them.
 */
class UnclosedHandlesTest {
    /** The most a test waits for the collector to hand slots back. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    @RegisterExtension
    final MapDir maps = new MapDir("uh");
    private Path dir;
    private String name;

    @BeforeEach
    void setUp() {
        dir = maps.dir();
        name = maps.name();
    }

    /**
     * Opens {@code count} handles with {@code open} and drops each at once, never closing it. When every slot is
     * taken, it asks the collector to run and tries again, until the open succeeds or {@link #BOUND} passes.
     *
     * @return how many opens were refused for want of a slot before one succeeded again
     */
    private static int openAndDrop(int count, Supplier<AutoCloseable> open) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        int refused = 0;
        for (int opened = 0; opened < count; ) {
            try {
                open.get(); // dropped: never closed
                opened++;
            } catch (MapSyncException e) {
                if (!e.getMessage().contains("read-write handles open")) throw e;
                refused++;
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("opened " + opened + " of " + count + " handles: the ones dropped"
                            + " without closing kept their slots for " + BOUND + " despite collections; " + e.getMessage());
                }
                System.gc();
                LockSupport.parkNanos(1_000_000); // then look again: the cleaner runs on a thread of its own
            }
        }
        return refused;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoThousandArrayHandlesDroppedWithoutClosingGiveTheirSlotsBack(Backend backend) {
        ArraySpec<Long> spec = Machine.on(backend, MapSpec.array(name, Codec.i64(), 4).dir(dir));
        try (SharedArray<Long> kept = SharedArray.create(spec)) {
            openAndDrop(2_000, () -> SharedArray.open(spec));
            try (SharedArray<Long> more = SharedArray.open(spec)) {
                more.longs().getAndAdd(0, 1);
                assertEquals(1, kept.get(0));
            }
        }
    }

    @Test
    void hashMapsRingsQueuesAndBarriersDroppedWithoutClosingGiveTheirSlotsBack() {
        HashSpec<Long, Long> hash = HashSpec.of(name + "h", Codec.i64(), Codec.i64(), 16).dir(dir);
        RingSpec ring = MapSpec.ring(name + "r", 1 << 12).dir(dir);
        QueueSpec<Long> queue = MapSpec.queue(name + "q", Codec.i64(), 256).dir(dir);
        BarrierSpec barrier = MapSpec.barrier(name + "b", 2).dir(dir);
        try (SharedHashMap<Long, Long> h = SharedHashMap.create(hash); SharedRing r = SharedRing.create(ring);
             SharedQueue<Long> q = SharedQueue.create(queue); SharedBarrier b = SharedBarrier.create(barrier)) {
            int n = ControlLayout.SLOT_COUNT + 100;
            openAndDrop(n, () -> SharedHashMap.open(hash));
            openAndDrop(n, () -> SharedRing.open(ring));
            openAndDrop(n, () -> SharedQueue.open(queue));
            openAndDrop(n, () -> SharedBarrier.open(barrier));
            h.put(1L, 1L);
            assertTrue(r.offer(new byte[8]));
            assertTrue(q.offer(1L));
            assertEquals(0, b.status().arrived());
        }
    }

    @Test
    void aConsumerDroppedWithItsHandleGivesTheConsumerRoleBack() {
        RingSpec spec = MapSpec.ring(name, 1 << 12).dir(dir);
        try (SharedRing kept = SharedRing.create(spec)) {
            assertTrue(kept.offer(new byte[]{42}));
            SharedRing.open(spec).consumer(); // the consumer role, dropped with its handle, never closed
            long deadline = System.nanoTime() + BOUND.toNanos();
            RingConsumer consumer = null;
            while (consumer == null) {
                try {
                    consumer = kept.consumer();
                } catch (ConsumerBusyException busy) {
                    if (System.nanoTime() - deadline > 0) throw new AssertionError("the role was never given back", busy);
                    System.gc();
                    LockSupport.parkNanos(1_000_000);
                }
            }
            try (RingConsumer c = consumer) {
                assertEquals(42, c.poll(Duration.ofSeconds(1))[0]);
            }
        }
    }

    @Test
    void kernelRingConsumersDroppedWithTheirHandlesCloseTheirEpollInstances() throws Exception {
        RingSpec spec = Machine.on(Backend.BPF, MapSpec.ring(name, 1 << 12).dir(dir));
        try (SharedRing kept = SharedRing.create(spec)) {
            long before = epollInstances();
            for (int i = 0; i < 20; i++) {
                long deadline = System.nanoTime() + BOUND.toNanos();
                while (true) {
                    try {
                        SharedRing.open(spec).consumer(); // an epoll instance, dropped with its handle, never closed
                        break;
                    } catch (ConsumerBusyException busy) {
                        if (System.nanoTime() - deadline > 0) throw new AssertionError("the role was not given back", busy);
                        System.gc();
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            }
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (epollInstances() > before) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError((epollInstances() - before) + " epoll instances of dropped consumers are open");
                }
                System.gc();
                LockSupport.parkNanos(1_000_000);
            }
        }
    }

    /** The epoll instances this process has open. */
    private static long epollInstances() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventpoll]");
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    void whenEverySlotIsTakenTheMessageSaysThatUnclosedHandlesHoldThem() {
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), 4).dir(dir);
        List<SharedArray<Long>> open = new ArrayList<>();
        try {
            open.add(SharedArray.create(spec));
            while (open.size() < ControlLayout.SLOT_COUNT) open.add(SharedArray.open(spec));
            MapSyncException full = assertThrows(MapSyncException.class, () -> SharedArray.open(spec));
            assertTrue(full.getMessage().contains("already has 1024 read-write handles open"), full.getMessage());
            assertTrue(full.getMessage().contains("not closed"), full.getMessage());
            assertTrue(full.getMessage().contains("close"), full.getMessage());
        } finally {
            open.forEach(SharedArray::close);
        }
    }
}
