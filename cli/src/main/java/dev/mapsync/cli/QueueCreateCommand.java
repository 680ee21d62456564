package dev.mapsync.cli;

import dev.mapsync.QueueSpec;
import dev.mapsync.RingSpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.SharedRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Create a queue (a ring of records).", footer = {"", "Examples:",
        "  mapsync queue create events --capacity 1M                         # records of any length",
        "  mapsync queue create jobs --capacity 64K --value id:i64,owner:char[16]",
        "  mapsync queue create bpf:trace --capacity 256K                    # a kernel ring buffer, pinned"})
final class QueueCreateCommand extends QueueSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The new queue: NAME, bpf:NAME, or a path.")
    String queue;

    @Option(names = "--capacity", required = true, paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes of records: a power of two from 4K to 1G. A record takes its length plus 8, rounded up to 8.")
    int capacity;

    @Option(names = "--value", paramLabel = "SCHEMA", description = "The schema of the values (default: records of any length).")
    String value;

    @Option(names = "--mode", defaultValue = "0600", paramLabel = "MODE", description = "Permission bits, octal (default 0600).")
    String mode;

    @Option(names = "--backend", paramLabel = "shm|bpf", description = "Backend (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public void run() {
        MapRef ref = ref();
        Backend chosen = backend == null ? ref.backend() : BackendName.parse(backend);
        String name = ref.path() != null ? ref.path().getFileName().toString() : ref.name();
        Path dir = ref.path() != null ? ref.path().toAbsolutePath().getParent() : group.root.dir;
        RingSpec rawSpec = null;
        QueueSpec<Object> valueSpec = null;
        MapSpec<?> spec;
        if (value == null) {
            rawSpec = MapSpec.ring(name, capacity);
            if (dir != null) rawSpec = rawSpec.dir(dir);
            spec = rawSpec = rawSpec.backend(chosen).mode(Integers.octal(mode));
        } else {
            valueSpec = MapSpec.queue(name, Codec.of(Schema.parse(value)), capacity);
            if (dir != null) valueSpec = valueSpec.dir(dir);
            spec = valueSpec = valueSpec.backend(chosen).mode(Integers.octal(mode));
        }
        try (SharedRing ring = rawSpec != null ? SharedRing.create(rawSpec) : SharedRing.create(valueSpec)) {
            out().printf("created queue %s: %d bytes of %s (%s backend, %s, mode %04o)%n", ref, ring.capacity(),
                    ring.valueSchema().map(s -> "values " + s).orElse("records of any length"),
                    chosen.name().toLowerCase(Locale.ROOT), spec.file(), Integers.octal(mode));
        }
    }
}
