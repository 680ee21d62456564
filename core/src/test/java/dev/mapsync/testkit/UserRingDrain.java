package dev.mapsync.testkit;

import dev.mapsync.internal.asm.Program;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.KernelAssumptions;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The BPF program of {@code test/resources/bpf/user_ring_drain.bpf.c}, compiled with clang and loaded with bpftool into
 * a folder of its own in bpffs, with its maps pinned beside it: {@code ring} (a 4096-byte user ring buffer) and
 * {@code results}. Each {@link #drain} runs it once; it drains the ring with {@code bpf_user_ringbuf_drain} and counts
 * in {@link #results}: records drained, the sum of their first u64, records that are not 16 bytes of {@code i, i*i},
 * and what the last drain returned. Closing it removes the pins (and so the program and maps).
 */
public final class UserRingDrain implements AutoCloseable {
    private final Path pins;

    private UserRingDrain(Path pins) {
        this.pins = pins;
    }

    /** Compiles and loads the program (skips the test when clang or bpftool is missing). */
    public static UserRingDrain load(Path workDir) {
        return load(workDir, null);
    }

    /**
     * {@link #load(Path)} with the program draining the user ring pinned at {@code ring} instead of one of its own
     * (which is then also pinned as {@link #ring()}).
     */
    public static UserRingDrain load(Path workDir, Path ring) {
        Machine.requireBpf();
        Path clang = Machine.requireProgram("clang", "clang");
        Machine.requireProgram(Machine.BPFTOOL.toString(), "bpftool");
        try {
            Path source = Files.createDirectories(workDir).resolve("user_ring_drain.bpf.c");
            try (InputStream in = UserRingDrain.class.getResourceAsStream("/bpf/user_ring_drain.bpf.c")) {
                Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Path object = workDir.resolve("user_ring_drain.o");
            KernelAssumptions.run(clang.toString(), "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", source.toString(), "-o", object.toString()).ok();
            Path pins = Files.createDirectory(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName("uring")));
            UserRingDrain loaded = new UserRingDrain(pins);
            try {
                List<String> args = new ArrayList<>(List.of("prog", "load", object.toString(),
                        pins.resolve("drain").toString()));
                if (ring != null) args.addAll(List.of("map", "name", "ring", "pinned", ring.toString()));
                args.addAll(List.of("pinmaps", pins.toString()));
                KernelAssumptions.bpftool(args.toArray(String[]::new)).ok();
            } catch (RuntimeException | Error e) {
                loaded.close();
                throw e;
            }
            return loaded;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The pin of the user ring buffer. */
    public Path ring() {
        return pins.resolve("ring");
    }

    /** Runs the program once: it drains the ring. */
    public void drain() {
        try (Program drain = Program.openPinned(pins.resolve("drain"))) {
            int retval = drain.testRun(0, MemorySegment.NULL).retval();
            if (retval != 0) throw new AssertionError("the drain program returned " + retval);
        }
    }

    /** Records drained, the sum of their first words, bad records, and what the last drain returned. */
    public List<Long> results() {
        List<Long> r = new ArrayList<>();
        try (KernelMap map = KernelMap.openPin("results", pins.resolve("results"), true); Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(8, 8);
            for (int i = 0; i < 4; i++) {
                map.load(i, v);
                r.add(v.get(ValueLayout.JAVA_LONG, 0));
            }
        }
        return r;
    }

    @Override
    public void close() {
        try (Stream<Path> all = Files.walk(pins)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            System.err.println("could not remove test pins " + pins + ": " + e);
        }
    }
}
