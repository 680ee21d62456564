package dev.mapsync.cli;

import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.SharedArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Locale;

@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Create a map.", footer = {"",
        "Examples:",
        "  mapsync create hits --value i64 --entries 256",
        "  mapsync create accounts --value id:i64,balance:i64,owner:char[16] --entries 1024 --mode 0640",
        "  mapsync create bpf:hits --value u64 --entries 64"})
final class CreateCommand extends MapCommand implements Runnable {
    @Option(names = "--type", defaultValue = "array", paramLabel = "TYPE", description = "Map type: array (default).")
    String type;

    @Option(names = "--value", required = true, paramLabel = "SCHEMA",
            description = "Value schema: a type (i64, u32, f64, char[16], i32[4]...) or fields (id:i64,owner:char[16],pos:{x:f32,y:f32}).")
    String value;

    @Option(names = "--entries", required = true, paramLabel = "N", description = "Number of entries.")
    int entries;

    @Option(names = "--mode", defaultValue = "0600", paramLabel = "MODE", description = "Permission bits, octal (default 0600).")
    String mode;

    @Option(names = "--backend", paramLabel = "shm|bpf", description = "Backend (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Option(names = "--stripes", paramLabel = "N", description = "Entry locks; entry i uses lock i %% N (default: one per entry, up to 4096).")
    Integer stripes;

    @Option(names = "--changelog", paramLabel = "N", description = "Changes kept for subscribers, a power of two (default 4096).")
    Integer changelog;

    @Override
    public void run() {
        if (!type.equals("array")) throw new IllegalArgumentException("unknown map type '" + type + "' (known: array)");
        MapRef ref = ref();
        Backend chosen = backend == null ? ref.backend() : Backend.valueOf(backend.toUpperCase(Locale.ROOT));
        Codec<Object> codec = Codec.of(Schema.parse(value));
        MapSpec<Object> spec = ref.path() != null ? MapSpec.array(ref.path(), codec, entries)
                : MapSpec.array(ref.name(), codec, entries);
        if (ref.path() == null && root.dir != null) spec = spec.dir(root.dir);
        spec = spec.backend(chosen).mode(parseMode(mode));
        if (stripes != null) spec = spec.lockStripes(stripes);
        if (changelog != null) spec = spec.changelogCapacity(changelog);
        try (SharedArray<Object> created = SharedArray.create(spec)) {
            out().printf("created %s: %d x %s (%s backend, %s, mode %04o)%n", ref, created.length(),
                    codec.schema(), chosen.name().toLowerCase(Locale.ROOT), created.info().file(), created.info().mode());
        }
    }

    private static int parseMode(String text) {
        try {
            return Integer.parseInt(text, 8);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mode '" + text + "' is not an octal number such as 0640");
        }
    }
}
