package dev.mapsync.testkit;

import dev.mapsync.ArraySpec;
import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/** Runs a test on a backend, or skips it with the reason printed when this machine cannot run that backend. */
public final class TestBackends {
    private TestBackends() {}

    /** The spec on {@code backend}; skips the test (saying why) if the backend cannot run here. */
    @SuppressWarnings("unchecked") // every spec's backend() returns its own kind
    public static <S extends MapSpec<?>> S on(Backend backend, S spec) {
        assume(backend);
        return (S) spec.backend(backend);
    }

    /** Skips the test, printing the reason, when {@code backend} cannot run on this machine. */
    public static void assume(Backend backend) {
        String reason = unavailableReason(backend);
        if (reason != null) skip(backend, reason);
        record(backend.name().toLowerCase(Locale.ROOT), null);
    }

    /**
     * For runners that skip by themselves (jqwik's skip hooks): why {@code backend} cannot run here, printed and noted
     * for the test summary, or null when it can (noted as a run).
     */
    public static String noteRunOrSkip(Backend backend) {
        String name = backend.name().toLowerCase(Locale.ROOT);
        String reason = unavailableReason(backend);
        record(name, reason);
        if (reason != null) System.out.println("SKIPPED [" + name + "]: " + reason);
        return reason;
    }

    /** Skips the test of {@code backend} for {@code reason}, printed and noted for the test summary. */
    public static void skip(Backend backend, String reason) {
        String name = backend.name().toLowerCase(Locale.ROOT);
        record(name, reason);
        System.out.println("SKIPPED [" + name + "]: " + reason);
        Assumptions.abort(name + " backend: " + reason);
    }

    /** Skips a test that needs {@code feature}, which this machine lacks, printing the reason. */
    public static void skipFor(String feature, String reason) {
        System.out.println("SKIPPED [" + feature + "]: " + reason);
        Assumptions.abort(feature + ": " + reason);
    }

    /**
     * Notes in {@code target/backend-runs.txt} that a test ran on a backend or was skipped, so that the test
     * script can say which backends ran (bin/lib/TestSummary.java reads it).
     */
    private static synchronized void record(String backend, String skipReason) {
        Path log = Path.of("target", "backend-runs.txt");
        String line = backend + "\t" + (skipReason == null ? "ran" : "skipped\t" + skipReason) + "\n";
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Why {@code backend} cannot run here, or null. */
    public static String unavailableReason(Backend backend) {
        return switch (backend) {
            case SHM -> null;
            case BPF -> dev.mapsync.internal.sys.KernelAssumptions.bpfMissing();
        };
    }
}
