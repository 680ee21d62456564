package dev.mapsync.replicate;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.HashSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedQueue;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.TestDirs;
import dev.mapsync.launch.UdpPorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What is not replicated is refused when a leader starts, saying why: per-CPU and LRU kernel maps, and maps of other
 * kinds.
 */
class RefusedMapsTest {
    @RegisterExtension
    final MapDir maps = new MapDir("rx");

    @Test
    void aPerCpuKernelMapIsRefused() {
        var spec = Machine.on(Backend.BPF, MapSpec.array(maps.name(), Codec.i64(), 4).perCpu(true).dir(maps.dir()));
        Path archive = TestDirs.create();
        try (var map = SharedArray.create(spec)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Leader.serve(spec.location(), "127.0.0.1:" + UdpPorts.freePair(), archive));
            assertEquals("map '" + maps.name() + "' is a per-CPU kernel map; its per-CPU values are not replicated"
                    + " (replicate a map of their sums instead)", e.getMessage());
        } finally {
            TestDirs.delete(archive);
        }
    }

    @Test
    void anLruKernelMapIsRefused() {
        var spec = Machine.on(Backend.BPF, HashSpec.of(maps.name(), Codec.i64(), Codec.i64(), 16).lru(true)
                .dir(maps.dir()));
        Path archive = TestDirs.create();
        try (var map = SharedHashMap.create(spec)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Leader.serve(spec.location(), "127.0.0.1:" + UdpPorts.freePair(), archive));
            assertEquals("map '" + maps.name() + "' is an LRU kernel map; the kernel evicts its keys without a change"
                    + " to send, so a replica would keep them and fill up (replicate a map that is not LRU)",
                    e.getMessage());
        } finally {
            TestDirs.delete(archive);
        }
    }

    @Test
    void aQueueIsRefused() {
        var spec = MapSpec.queue(maps.name(), Codec.i64(), 64).dir(maps.dir());
        Path archive = TestDirs.create();
        try (var queue = SharedQueue.create(spec)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> Leader.serve(spec.location(), "127.0.0.1:" + UdpPorts.freePair(), archive));
            assertEquals("map '" + maps.name() + "' is a ring map; only arrays and hash maps are replicated", e.getMessage());
        } finally {
            TestDirs.delete(archive);
        }
    }
}
