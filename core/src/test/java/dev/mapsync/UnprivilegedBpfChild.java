package dev.mapsync;

import java.nio.file.Path;

/**
 * Run by {@link BpfSharedArrayTest} as uid 65534 without capabilities: tries what an unprivileged process may and
 * may not do with bpf maps, and prints one line per attempt ({@code what: result}).
 *
 * <p>Arguments: the sidecar folder, the name of an existing i64 map of 4 entries, a name for a new map.
 */
public final class UnprivilegedBpfChild {
    private UnprivilegedBpfChild() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String existing = args[1], fresh = args[2];
        attempt("create", () -> {
            try (var ignored = SharedArray.create(MapSpec.array(fresh, Codec.i64(), 4).backend(Backend.BPF).dir(dir))) {
                return "created";
            }
        });
        ArraySpec<Long> spec = MapSpec.array(existing, Codec.i64(), 4).backend(Backend.BPF).dir(dir);
        attempt("read", () -> {
            try (var map = SharedArray.openReadOnly(spec)) {
                return Long.toString(map.get(2));
            }
        });
        attempt("atomics", () -> {
            try (var map = SharedArray.openReadOnly(spec)) {
                return Long.toString(map.longs().get(2));
            }
        });
    }

    private static void attempt(String what, java.util.function.Supplier<String> action) {
        String result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            result = e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        }
        System.out.println(what + ": " + result);
    }
}
