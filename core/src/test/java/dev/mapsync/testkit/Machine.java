package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import dev.mapsync.MapSyncException;
import dev.mapsync.Schema;
import dev.mapsync.internal.store.Bpffs;
import dev.mapsync.internal.store.KernelMap;
import dev.mapsync.internal.sys.LibC;
import dev.mapsync.internal.sys.SyscallException;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The one place that decides whether this machine can run a test, and says why not: a backend (the bpf backend needs a
 * kernel that lets this process create BPF maps, and a bpf file system), bpftool, a C compiler and libbpf, root, a
 * program such as {@code setpriv} or {@code tmux}, a private mount namespace. A test calls {@code require...} first;
 * when the machine lacks it, the test is skipped through JUnit's {@link Assumptions} with the reason, and the reason is
 * printed once per JVM as {@code SKIPPED [what]: reason}, so that a skip never looks like a pass.
 *
 * <p>Tests on a backend are noted in {@code target/backend-runs.txt}, whether they ran or were skipped (with the
 * reason), so that bin/test can say which backends ran (bin/lib/TestSummary.java reads it): {@link #on},
 * {@link #require(Backend)} and {@link #noteRunOrSkip} note a run or a skip, {@link #skip(Backend, String)} and the
 * requirements that take a backend note a skip. Other requirements are not noted.
 */
public final class Machine {
    private Machine() {}

    /** Where tests expect bpftool. */
    public static final Path BPFTOOL = Path.of("/usr/sbin/bpftool");

    private static final Set<String> PRINTED = ConcurrentHashMap.newKeySet();
    private static volatile Optional<String> libbpfMissing;

    /** Why this process cannot create and pin BPF maps here, or null; probed when first asked. */
    private static final class BpfProbe {
        static final String MISSING = probe();

        private static String probe() {
            try {
                Bpffs.ensureMounted();
            } catch (MapSyncException e) {
                return "no bpf file system: " + e.getMessage();
            }
            try (KernelMap ignored = KernelMap.createArray("probe", Schema.scalar(Schema.Kind.I64), 1)) {
                return null;
            } catch (SyscallException e) {
                return "this process may not create BPF maps: " + e.getMessage();
            }
        }
    }

    // ---- backends: noted for the test summary ----

    /** The spec on {@code backend}; skips the test unless the backend can run here. */
    @SuppressWarnings("unchecked") // every spec's backend() returns its own kind
    public static <S extends MapSpec<?>> S on(Backend backend, S spec) {
        require(backend);
        return (S) spec.backend(backend);
    }

    /** Skips the test unless {@code backend} can run here; notes the run or the skip. */
    public static void require(Backend backend) {
        String reason = whyNot(backend);
        if (reason != null) skip(backend, reason);
        note(backend, null);
    }

    /** {@link #require(Backend) require(Backend.BPF)}: this process can create, pin and map kernel maps. */
    public static void requireBpf() {
        require(Backend.BPF);
    }

    /** {@link #requireBpf()}, and bpftool is installed at {@link #BPFTOOL}. */
    public static void requireBpftool() {
        String reason = whyNot(Backend.BPF);
        if (reason == null && !Files.isExecutable(BPFTOOL)) reason = BPFTOOL + " is not installed (apt-get install bpftool)";
        if (reason != null) skip(Backend.BPF, reason);
        note(Backend.BPF, null);
    }

    /**
     * For runners that skip by themselves (jqwik's skip hooks): why {@code backend} cannot run here, printed and noted
     * as a skip, or null, noted as a run.
     */
    public static String noteRunOrSkip(Backend backend) {
        String reason = whyNot(backend);
        note(backend, reason);
        if (reason != null) print(name(backend), reason);
        return reason;
    }

    /**
     * For a test that leaves out its part on {@code backend} when the backend cannot run here, and runs the rest: why
     * it cannot, printed, or null. Nothing is noted and nothing skipped.
     */
    public static String lacks(Backend backend, String part) {
        String reason = whyNot(backend);
        if (reason != null) print(name(backend), part + ": " + reason);
        return reason;
    }

    /** Skips the test on {@code backend} for {@code reason}, printed and noted as a skip. */
    public static void skip(Backend backend, String reason) {
        String name = name(backend);
        note(backend, reason);
        print(name, reason);
        Assumptions.abort(name + " backend: " + reason);
    }

    // ---- the rest of the machine ----

    /** Skips the test unless gcc is installed; returns its path. */
    public static String requireCompiler() {
        return gcc().orElseGet(() -> {
            skip("gcc", "gcc is not installed (apt-get install gcc)");
            return null;
        });
    }

    /** For a C program built for {@code backend}: {@link #requireCompiler()}, a skip noted for the backend. */
    public static String requireCompiler(Backend backend) {
        return gcc().orElseGet(() -> {
            skip(backend, "gcc is not installed (apt-get install gcc), so the C programs cannot be built");
            return null;
        });
    }

    /**
     * For a C program of the bpf backend: gcc can build and link a program against libbpf (a two-line program is
     * compiled once to find out). A skip is noted for the bpf backend.
     */
    public static void requireLibbpf() {
        String gcc = requireCompiler(Backend.BPF);
        String reason = libbpfMissing(gcc);
        if (reason != null) skip(Backend.BPF, reason);
    }

    /** Skips the test unless this process runs as root; {@code why} says what needs root. */
    public static void requireRoot(String why) {
        if (LibC.geteuid() != 0) skip("root", "not root: " + why);
    }

    /**
     * Skips the test unless {@code program} is installed: an absolute path, or a name found on the {@code PATH}. The
     * reason names {@code debianPackage}, which brings it. Returns the program's path.
     */
    public static Path requireProgram(String program, String debianPackage) {
        Optional<Path> found = program.contains("/")
                ? Optional.of(Path.of(program)).filter(Files::isExecutable) : onPath(program);
        return found.orElseGet(() -> {
            skip(Path.of(program).getFileName().toString(),
                    program + " is not installed (apt-get install " + debianPackage + ")");
            return null;
        });
    }

    /**
     * Skips the test unless {@code unshare} can give a process a private mount namespace in which it mounts a tmpfs
     * on {@code /dev/shm} (it needs root).
     */
    public static void requirePrivateMounts() {
        Path unshare = requireProgram("/usr/bin/unshare", "util-linux");
        Probe p = run(List.of(unshare.toString(), "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs mapsync-probe /dev/shm"));
        if (p.exit() != 0) skip("private mounts", "no private mount namespace with a tmpfs on /dev/shm: " + p.err().strip());
    }

    /** Skips the test, which needs {@code what}, for {@code reason} (this machine lacks it), printed. */
    public static void skip(String what, String reason) {
        print(what, reason);
        Assumptions.abort(what + ": " + reason);
    }

    // ----

    /** Why {@code backend} cannot run here, or null. */
    private static String whyNot(Backend backend) {
        return switch (backend) {
            case SHM -> null;
            case BPF -> BpfProbe.MISSING;
        };
    }

    private static String name(Backend backend) {
        return backend.name().toLowerCase(Locale.ROOT);
    }

    /** Prints {@code SKIPPED [what]: reason}, once per JVM for each. */
    private static void print(String what, String reason) {
        String line = "SKIPPED [" + what + "]: " + reason;
        if (PRINTED.add(line)) System.out.println(line);
    }

    /**
     * Notes in {@code target/backend-runs.txt} that a test ran on a backend or was skipped, so that the test script can
     * say which backends ran (bin/lib/TestSummary.java reads it).
     */
    private static synchronized void note(Backend backend, String skipReason) {
        Path log = Path.of("target", "backend-runs.txt");
        String line = name(backend) + "\t" + (skipReason == null ? "ran" : "skipped\t" + skipReason) + "\n";
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<String> gcc() {
        return onPath("gcc").map(Path::toString);
    }

    private static Optional<Path> onPath(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** Why a program using libbpf cannot be built here, or null. */
    private static synchronized String libbpfMissing(String gcc) {
        if (libbpfMissing != null) return libbpfMissing.orElse(null);
        try {
            Path dir = Files.createDirectories(Path.of("target", "c").toAbsolutePath());
            Path probe = dir.resolve("libbpf_probe.c");
            Files.writeString(probe, "#include <bpf/bpf.h>\nint main(void) { return bpf_obj_get(\"/\") < 0 ? 0 : 1; }\n");
            Probe r = run(List.of(gcc, "-o", dir.resolve("libbpf_probe").toString(), probe.toString(), "-lbpf"));
            libbpfMissing = r.exit() == 0 ? Optional.empty()
                    : Optional.of("libbpf is missing (apt-get install libbpf-dev): " + r.err().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return libbpfMissing.orElse(null);
    }

    private record Probe(int exit, String err) {}

    /** Runs a probe command to its end (at most 60 s). */
    private static Probe run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Probe(-1, String.join(" ", command) + " did not finish in 60 s");
            }
            return new Probe(p.exitValue(), err);
        } catch (IOException e) {
            return new Probe(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
