package dev.mapsync.testkit;

import dev.mapsync.RingSpec;
import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.LockGuard;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedHashMap;
import dev.mapsync.SharedRing;
import dev.mapsync.testkit.HashCells.Cell;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The three processes of a restart: one that fills every process slot but one, one that takes a lock in that last
 * slot and dies holding it, and one that gets the same slot (and, on its main thread, the same thread id) and must
 * take the dead one's lock. Arguments: {@code role kind dir name backend [death]}.
 * <ul>
 * <li>{@code fill}: opens the map {@value #FILL} times (handles of the kind's type), prints {@code filled}, and
 *     waits to be killed.</li>
 * <li>{@code hold}: takes the lock of the kind on the main thread, prints {@code locked}, then dies: {@code halt}
 *     calls {@code Runtime.halt}, {@code kill} waits for SIGKILL. The hash and ring kinds stop inside a write
 *     (their pause hooks) and always wait for SIGKILL.</li>
 * <li>{@code take}: takes the same lock on the main thread and prints {@code took previousOwnerDied=B} (for the
 *     hash and ring kinds, {@code wrote}).</li>
 * </ul>
 * Kinds: {@code entry} (entry 0 of an array with a lock per entry), {@code stripe} (entry 5 of an array of 8
 * entries and 2 stripes), {@code map} (the map-wide lock), {@code hash} (the one segment of a hash map),
 * {@code ring} (the reserve lock of a ring).
 */
public final class Restarter {
    /** Every slot but one. */
    public static final int FILL = 1023;

    public static ArraySpec<Long> arraySpec(String kind, Path dir, String name, Backend backend) {
        ArraySpec<Long> spec = MapSpec.array(name, Codec.i64(), 8).dir(dir).backend(backend);
        return kind.equals("stripe") ? spec.lockStripes(2) : spec;
    }

    public static dev.mapsync.HashSpec<String, Cell> hashSpec(Path dir, String name, Backend backend) {
        return HashCells.spec(dir, name, backend, 64, 1);
    }

    public static RingSpec ringSpec(Path dir, String name) {
        return MapSpec.ring(name, 1 << 16).dir(dir);
    }

    public static void main(String[] args) throws Exception {
        String role = args[0], kind = args[1];
        Path dir = Path.of(args[2]);
        String name = args[3];
        Backend backend = Backend.valueOf(args[4]);
        switch (role) {
            case "fill" -> fill(kind, dir, name, backend);
            case "hold" -> hold(kind, dir, name, backend, args[5]);
            case "take" -> take(kind, dir, name, backend);
            default -> throw new IllegalArgumentException(role);
        }
    }

    private static void fill(String kind, Path dir, String name, Backend backend) throws InterruptedException {
        List<AutoCloseable> handles = new ArrayList<>();
        for (int i = 0; i < FILL; i++) {
            handles.add(switch (kind) {
                case "hash" -> SharedHashMap.open(hashSpec(dir, name, backend));
                case "ring" -> SharedRing.open(ringSpec(dir, name));
                default -> SharedArray.open(arraySpec(kind, dir, name, backend));
            });
        }
        System.out.println("filled");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        System.out.println(handles.size());
    }

    private static void hold(String kind, Path dir, String name, Backend backend, String death) throws Exception {
        switch (kind) {
            case "hash" -> {
                System.setProperty("mapsync.test.pauseHashWindow", "1");
                SharedHashMap.open(hashSpec(dir, name, backend)).put("k", Cell.of(1, 1)); // pauses mid-window
            }
            case "ring" -> {
                System.setProperty("mapsync.test.pauseInReserveAt", "0");
                SharedRing.open(ringSpec(dir, name)).offer(new byte[8]); // pauses in the reserve lock
            }
            default -> {
                LockGuard held = lock(SharedArray.open(arraySpec(kind, dir, name, backend)), kind);
                System.out.println("locked" + (held.previousOwnerDied() ? " after a dead owner" : ""));
                System.out.flush();
                if (death.equals("halt")) Runtime.getRuntime().halt(0);
            }
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void take(String kind, Path dir, String name, Backend backend) {
        switch (kind) {
            case "hash" -> {
                try (SharedHashMap<String, Cell> map = SharedHashMap.open(hashSpec(dir, name, backend))) {
                    map.put("k", Cell.of(2, 2));
                    System.out.println("wrote " + map.get("k").id());
                }
            }
            case "ring" -> {
                try (SharedRing ring = SharedRing.open(ringSpec(dir, name))) {
                    System.out.println(ring.offer(new byte[8]) ? "wrote" : "full");
                }
            }
            default -> {
                try (SharedArray<Long> map = SharedArray.open(arraySpec(kind, dir, name, backend));
                     LockGuard held = lock(map, kind)) {
                    System.out.println("took previousOwnerDied=" + held.previousOwnerDied());
                }
            }
        }
    }

    private static LockGuard lock(SharedArray<Long> map, String kind) {
        Duration timeout = Duration.ofSeconds(10);
        return switch (kind) {
            case "entry" -> map.lock(0, timeout);
            case "stripe" -> map.lock(5, timeout);
            case "map" -> map.lockMap();
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
