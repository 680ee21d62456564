package dev.mapsync.testkit;

import dev.mapsync.RingSpec;
import dev.mapsync.ArraySpec;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.SharedArray;
import dev.mapsync.SharedMaps;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.function.Supplier;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * What a hostile user without write permission tries against maps, run by the security tests as
 * {@link OtherUser}. Each attempt prints one line, {@code what: result}, where a refusal is the exception's simple
 * class name and its message, so that the tests assert exact outcomes.
 *
 * <ul>
 * <li>{@code create DIR NAME MODE}: makes an i64 map of 4 entries holding 666 at index 0 (a planted map).</li>
 * <li>{@code attempts DIR ARRAY RING}: opens the array (values 42 at 0) and the ring read-write and read-only, and
 *     tries to write, take a lock, subscribe and consume.</li>
 * <li>{@code deny FILE...}: opens each file read-only and takes an open-file-description read lock over all of it,
 *     [0, infinity), prints {@code holding}, and keeps the locks until it is killed.</li>
 * <li>{@code rm DIR NAME}: deletes a map.</li>
 * <li>{@code read DIR NAME ENTRIES INDEX... --timeout-ms T}: reads entries of a {@link WideValues.Wide} map
 *     through a read-only handle whose lock timeout is T.</li>
 * </ul>
 */
public final class Intruder {
    private Intruder() {}

    private static final int F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0;

    public static void main(String[] args) throws IOException {
        switch (args[0]) {
            case "create" -> attempt("create", () -> {
                try (SharedArray<Long> map = SharedArray.create(MapSpec.array(args[2], Codec.i64(), 4)
                        .dir(Path.of(args[1])).mode(Integer.parseInt(args[3], 8)))) {
                    map.set(0, 666L);
                    return "created";
                }
            });
            case "attempts" -> attempts(Path.of(args[1]), args[2], args[3]);
            case "deny" -> deny(args);
            case "rm" -> attempt("rm", () -> {
                SharedMaps.delete(MapSpec.existing(args[2]).dir(Path.of(args[1])));
                return "deleted";
            });
            case "read" -> read(args);
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void attempts(Path dir, String array, String ring) {
        ArraySpec<Long> spec = MapSpec.array(array, Codec.i64(), 4).dir(dir);
        RingSpec ringSpec = MapSpec.ring(ring, 4096).dir(dir);
        attempt("open read-write", () -> {
            SharedArray.open(spec).close();
            return "opened";
        });
        attempt("write the file", () -> {
            try (var ch = Files.newByteChannel(dir.resolve(array), StandardOpenOption.WRITE)) {
                return "opened for writing";
            } catch (IOException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        });
        try (SharedArray<Long> map = SharedArray.openReadOnly(spec)) {
            attempt("read", () -> Long.toString(map.get(0)));
            attempt("set", () -> {
                map.set(0, 1L);
                return "set";
            });
            attempt("add", () -> Long.toString(map.longs().getAndAdd(0, 1)));
            attempt("lock", () -> {
                map.lock(0).close();
                return "locked";
            });
            attempt("subscribe", () -> {
                map.changes().close();
                return "subscribed";
            });
        }
        attempt("open ring read-write", () -> {
            SharedRing.open(ringSpec).close();
            return "opened";
        });
        try (SharedRing r = SharedRing.openReadOnly(ringSpec)) {
            attempt("consume", () -> {
                r.consumer().close();
                return "consuming";
            });
            attempt("produce", () -> Boolean.toString(r.offer(new byte[]{1})));
        }
        attempt("liveness file", () -> {
            Path live = dir.resolve(array + ".live");
            try (var ch = Files.newByteChannel(live, StandardOpenOption.READ)) {
                return "opened";
            } catch (IOException e) {
                return e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        });
    }

    private static void read(String[] args) {
        int timeoutAt = java.util.Arrays.asList(args).indexOf("--timeout-ms");
        ArraySpec<WideValues.Wide> spec = WideValues.spec(Path.of(args[1]), args[2], Integer.parseInt(args[3]))
                .lockTimeout(Duration.ofMillis(Long.parseLong(args[timeoutAt + 1])));
        try (SharedArray<WideValues.Wide> map = SharedArray.openReadOnly(spec)) {
            for (int i = 4; i < timeoutAt; i++) {
                int index = Integer.parseInt(args[i]);
                attempt("get " + index, () -> Long.toString(map.get(index).words()[0]));
            }
        }
    }

    /** Read locks over whole files, through read-only descriptors: what any reader can take. */
    private static void deny(String[] args) throws IOException {
        for (int i = 1; i < args.length; i++) {
            String file = args[i];
            attempt("lock " + file, () -> {
                int fd = LibC.open(file, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                int r = readLockAll(fd);
                return r == 0 ? "read lock on [0, infinity)" : "fcntl failed";
            });
        }
        System.out.println("holding");
        System.out.flush();
        // the locks live as long as this process: wait to be killed (the parent never writes to our stdin)
        while (System.in.read() >= 0) {
            Thread.onSpinWait();
        }
    }

    private static int readLockAll(int fd) {
        Linker linker = Linker.nativeLinker();
        MethodHandle fcntl = linker.downcallHandle(linker.defaultLookup().find("fcntl").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(2));
        try (Arena arena = Arena.ofConfined()) {
            // struct flock: l_type @0, l_whence @2, l_start @8, l_len @16 (0: to the end of the file and beyond)
            MemorySegment flock = arena.allocate(32, 8);
            flock.set(JAVA_SHORT, 0, F_RDLCK);
            flock.set(JAVA_LONG, 8, 0L);
            flock.set(JAVA_LONG, 16, 0L);
            return (int) fcntl.invokeExact(fd, F_OFD_SETLK, flock);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void attempt(String what, Supplier<String> action) {
        String result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            result = e instanceof SyscallException ? m : e.getClass().getSimpleName() + ": " + m;
        }
        System.out.println(what + ": " + result);
        System.out.flush();
    }
}
