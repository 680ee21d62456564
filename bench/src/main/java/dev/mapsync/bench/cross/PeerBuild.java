package dev.mapsync.bench.cross;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The C peers of the cross-process benchmarks, resources of this package built with the machine's {@code cc} on first
 * use, once a run, into temporary folders deleted when the JVM exits.
 */
final class PeerBuild {
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private PeerBuild() {}

    /** glibc's robust mutex driver ({@link GlibcMutex}). */
    static Path robustMutex() throws IOException, InterruptedException {
        return build("robust_mutex", "-pthread");
    }

    /** libbpf's consumer of a kernel ring buffer ({@link KernelRingBench}). */
    static Path libbpfRingConsumer() throws IOException, InterruptedException {
        return build("libbpf_ring_consume", "-lbpf");
    }

    /**
     * Builds {@code NAME.c} with {@code flags} after the source (libraries).
     *
     * @throws IOException           if there is no {@code cc}
     * @throws IllegalStateException if cc refuses the source (a library missing, say), with what it said
     */
    private static Path build(String name, String... flags) throws IOException, InterruptedException {
        Path built = BUILT.get(name);
        if (built != null) return built;
        synchronized (PeerBuild.class) {
            built = BUILT.get(name);
            if (built != null) return built;
            Path dir = Files.createTempDirectory("mapsync-" + name.replace('_', '-') + "-");
            Path source = dir.resolve(name + ".c");
            try (InputStream in = PeerBuild.class.getResourceAsStream(name + ".c")) {
                if (in == null) throw new IllegalStateException(name + ".c is missing from the benchmarks jar");
                Files.copy(in, source);
            }
            Path binary = dir.resolve(name);
            List<String> command = new ArrayList<>(List.of("cc", "-std=gnu11", "-O2", "-o", binary.toString(),
                    source.toString()));
            command.addAll(List.of(flags));
            Process cc;
            try {
                cc = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new IOException("no C compiler (cc) to build " + name + ".c: " + e.getMessage(), e);
            }
            String says = new String(cc.getInputStream().readAllBytes());
            if (cc.waitFor() != 0) throw new IllegalStateException("cc could not build " + name + ".c: " + says.strip());
            dir.toFile().deleteOnExit(); // deleted last: the JVM deletes in the reverse order of these calls
            source.toFile().deleteOnExit();
            binary.toFile().deleteOnExit();
            BUILT.put(name, binary);
            return binary;
        }
    }
}
