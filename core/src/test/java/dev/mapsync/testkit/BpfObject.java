package dev.mapsync.testkit;

import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.sys.KernelAssumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A BPF program of {@code test/resources/bpf/}, compiled with clang and loaded with bpftool into a folder of its own
 * in bpffs, its program pinned there as {@code prog} and its maps beside it, by their names; a map of the program can
 * be replaced by one pinned elsewhere (a ring mapsync made, say). Closing it removes the folder, and so the program
 * and the maps only it held.
 */
public final class BpfObject implements AutoCloseable {
    private final Path pins;

    private BpfObject(Path pins) {
        this.pins = pins;
    }

    /**
     * Compiles {@code /bpf/SOURCE} into {@code workDir} and loads it, with each map named in {@code replaced} taken
     * from the pin it names. Skips the test when bpf, clang or bpftool is missing here.
     */
    public static BpfObject load(Path workDir, String source, Map<String, Path> replaced) {
        Machine.requireBpf();
        Path clang = Machine.requireProgram("clang", "clang");
        Machine.requireProgram(Machine.BPFTOOL.toString(), "bpftool");
        try {
            Path file = Files.createDirectories(workDir).resolve(source);
            try (InputStream in = BpfObject.class.getResourceAsStream("/bpf/" + source)) {
                if (in == null) throw new AssertionError("no test resource /bpf/" + source);
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            Path object = workDir.resolve(source.replace(".bpf.c", ".o"));
            KernelAssumptions.run(clang.toString(), "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", file.toString(), "-o", object.toString()).ok();
            String prefix = source.replaceAll("[^a-z]", "").substring(0, 5);
            BpfObject loaded = new BpfObject(Files.createDirectory(Bpffs.ROOT.resolve(KernelAssumptions.uniqueName(prefix))));
            try {
                List<String> args = new ArrayList<>(List.of("prog", "load", object.toString(),
                        loaded.pin("prog").toString()));
                replaced.forEach((map, pin) -> args.addAll(List.of("map", "name", map, "pinned", pin.toString())));
                args.addAll(List.of("pinmaps", loaded.pins.toString()));
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

    /** The pin of the program ({@code prog}) or of one of its maps, by its name. */
    public Path pin(String name) {
        return pins.resolve(name);
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
