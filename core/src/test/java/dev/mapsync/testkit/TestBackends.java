package dev.mapsync.testkit;

import dev.mapsync.Backend;
import dev.mapsync.MapSpec;
import org.junit.jupiter.api.Assumptions;

import java.util.Locale;

/** Runs a test on a backend, or skips it with the reason printed when this machine cannot run that backend. */
public final class TestBackends {
    private TestBackends() {}

    /** The spec on {@code backend}; skips the test (saying why) if the backend cannot run here. */
    public static <V> MapSpec<V> on(Backend backend, MapSpec<V> spec) {
        assume(backend);
        return spec.backend(backend);
    }

    /** Skips the test, printing the reason, when {@code backend} cannot run on this machine. */
    public static void assume(Backend backend) {
        String reason = unavailableReason(backend);
        if (reason != null) {
            System.out.println("SKIPPED [" + backend.name().toLowerCase(Locale.ROOT) + "]: " + reason);
        }
        Assumptions.assumeTrue(reason == null, () -> backend.name().toLowerCase(Locale.ROOT) + " backend: " + reason);
    }

    /** Why {@code backend} cannot run here, or null. */
    public static String unavailableReason(Backend backend) {
        return switch (backend) {
            case SHM -> null;
            case BPF -> "the bpf backend is not in this build";
        };
    }
}
