package dev.mapsync;

import dev.mapsync.launch.ChildJvm;
import dev.mapsync.testkit.MapDir;
import dev.mapsync.testkit.Restarter;
import dev.mapsync.testkit.Machine;
import dev.mapsync.testkit.TestJvm;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A process that dies holding a lock and a new one that takes its place: the same process slot (every other slot is
 * taken by a filler process) and, on its main thread, the same thread id. The newcomer is not the dead owner, so it
 * must take the lock over rather than think it holds it already.
 */
class RestartTest {
    @RegisterExtension
    final MapDir maps = new MapDir("r");

    @ParameterizedTest(name = "{0} lock, {1}, {2}")
    @CsvSource({
            "entry, halt, SHM", "entry, kill, SHM", "stripe, halt, SHM", "stripe, kill, SHM", "map, halt, SHM",
            "map, kill, SHM", "entry, halt, BPF", "stripe, kill, BPF", "map, halt, BPF",
            "hash, kill, SHM", "hash, kill, BPF", "ring, kill, SHM"})
    void aNewProcessInTheDeadOwnersSlotTakesItsLockOver(String kind, String death, Backend backend) throws Exception {
        Machine.require(backend);
        String dir = maps.dir().toString(), name = maps.name(), b = backend.name();
        try (AutoCloseable created = create(kind, backend);
             ChildJvm filler = TestJvm.start(Restarter.class, "fill", kind, dir, name, b)) {
            filler.awaitLine("filled", 120);
            try (ChildJvm holder = TestJvm.start(Restarter.class, "hold", kind, dir, name, b, death)) {
                holder.awaitLine(switch (kind) {
                    case "hash" -> "paused mid-window";
                    case "ring" -> "paused in reserve";
                    default -> "locked";
                }, 60);
                if (death.equals("kill")) holder.kill();
                assertEquals(death.equals("kill") ? 137 : 0, holder.await(30));
            }
            try (ChildJvm taker = TestJvm.start(Restarter.class, "take", kind, dir, name, b)) {
                taker.awaitSuccess(60);
                assertEquals(switch (kind) {
                    case "hash" -> "wrote 2:2";
                    case "ring" -> "wrote";
                    default -> "took previousOwnerDied=true";
                }, taker.output().strip());
            }
        }
    }

    /** Creates the map and returns a handle that keeps no slot busy (read-only), closed at the end. */
    private AutoCloseable create(String kind, Backend backend) {
        var dir = maps.dir();
        String name = maps.name();
        return switch (kind) {
            case "hash" -> {
                SharedHashMap.create(Restarter.hashSpec(dir, name, backend)).close();
                yield () -> { };
            }
            case "ring" -> {
                SharedRing.create(Restarter.ringSpec(dir, name)).close();
                yield () -> { };
            }
            default -> {
                SharedArray.create(Restarter.arraySpec(kind, dir, name, backend)).close();
                yield () -> { };
            }
        };
    }
}
