package dev.mapsync.cli;

import dev.mapsync.QueueSpec;
import dev.mapsync.RingSpec;
import dev.mapsync.Backend;
import dev.mapsync.Codec;
import dev.mapsync.MapSpec;
import dev.mapsync.Schema;
import dev.mapsync.SharedRing;
import dev.mapsync.internal.ring.RingLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;

@Command(name = "create", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Create a queue (a ring of records): of records of any length, sized in bytes (--capacity), or of",
                "values of one schema (--value), sized in values (--values) or in bytes."}, footer = {"", "Examples:",
        "  mapsync queue create events --capacity 1M                         # records of any length",
        "  mapsync queue create jobs --values 4096 --value id:i64,owner:char[16]",
        "  mapsync queue create bpf:trace --capacity 256K                    # a kernel ring buffer, pinned"})
final class QueueCreateCommand extends QueueSubcommand implements Runnable {
    @Parameters(index = "0", paramLabel = "QUEUE", description = "The new queue: NAME, bpf:NAME, or a path.")
    String queue;

    @Option(names = "--capacity", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "Bytes of the ring: a power of two from 4K to 1G. A record takes its length plus 8, rounded up to 8.")
    Integer capacity;

    @Option(names = "--values", paramLabel = "N", description = "With --value: the values the queue holds (its ring is"
            + " the smallest power of two of bytes with room for them).")
    Integer values;

    @Option(names = "--value", paramLabel = "SCHEMA", description = "The schema of the values (default: records of any length).")
    String value;

    @Option(names = "--mode", defaultValue = "0600", paramLabel = "MODE", description = "Permission bits, octal (default 0600).")
    String mode;

    @Option(names = "--backend", paramLabel = "shm|bpf", description = "Backend (default shm; a bpf: prefix on the name means bpf).")
    String backend;

    @Option(names = "--user-ring", description = "bpf backend, records of any length: a ring into the kernel (BPF_MAP_TYPE_USER_RINGBUF) that queue put and SharedRing produce into and BPF programs drain (bpf_user_ringbuf_drain).")
    boolean userRing;

    @Override
    public String mapArgument() {
        return queue;
    }

    @Override
    public void run() {
        MapRef ref = ref();
        if (ref.pin() != null) {
            throw new IllegalArgumentException("a new kernel map is named bpf:NAME (mapsync pins it at /sys/fs/bpf/mapsync/NAME),"
                    + " not by a path in a bpf file system: " + ref.pin());
        }
        Backend chosen = backend == null ? ref.backend() : BackendName.parse(backend);
        String name = ref.path() != null ? ref.path().getFileName().toString() : ref.name();
        Path dir = ref.path() != null ? ref.path().toAbsolutePath().getParent() : group.root.dir;
        if ((capacity == null) == (values == null)) {
            throw new IllegalArgumentException("give the queue's size as --capacity SIZE (bytes of its ring) or, with"
                    + " --value, --values N (values it holds)");
        }
        if (values != null && value == null) {
            throw new IllegalArgumentException("--values counts values of a schema: give --value SCHEMA too, or size a"
                    + " queue of records of any length in bytes with --capacity");
        }
        RingSpec rawSpec = null;
        QueueSpec<Object> valueSpec = null;
        MapSpec<?> spec;
        if (value == null) {
            rawSpec = MapSpec.ring(name, capacity);
            if (dir != null) rawSpec = rawSpec.dir(dir);
            spec = rawSpec = rawSpec.backend(chosen).mode(Integers.octal(mode)).userRing(userRing);
        } else {
            if (userRing) {
                throw new IllegalArgumentException("--user-ring makes a ring of records of any length (BPF programs read"
                        + " its bytes); leave out --value");
            }
            Codec<Object> codec = Codec.of(Schema.parse(value));
            valueSpec = MapSpec.queue(name, codec, values != null ? values : valuesIn(name, capacity, codec));
            if (dir != null) valueSpec = valueSpec.dir(dir);
            spec = valueSpec = valueSpec.backend(chosen).mode(Integers.octal(mode));
        }
        try (SharedRing ring = rawSpec != null ? SharedRing.create(rawSpec) : SharedRing.create(valueSpec)) {
            String holds = valueSpec == null ? (userRing ? " of records of any length, into the kernel" : " of records of any length")
                    : ", room for " + ring.capacityBytes() / RingLayout.recordSize(valueSpec.codec().size()) + " values of " + valueSpec.codec().schema();
            out().printf("created queue %s: %d bytes%s (%s backend, %s, mode %04o)%n", ref, ring.capacityBytes(), holds,
                    chosen.name().toLowerCase(Locale.ROOT), spec.file(), Integers.octal(mode));
        }
    }

    /** How many values a ring of {@code bytes} holds: a queue sized in bytes is made as one sized in those values. */
    private static int valuesIn(String name, int bytes, Codec<?> codec) {
        MapSpec.ring(name, bytes); // the checks of a ring's size, with their message
        long record = RingLayout.recordSize(codec.size());
        if (record > bytes) {
            throw new IllegalArgumentException("a value of " + codec.schema() + " is " + codec.size() + " bytes; a ring of "
                    + bytes + " bytes holds records of at most " + (bytes - 8));
        }
        return (int) (bytes / record);
    }
}
