package dev.mapsync.cli.chaos;

import dev.mapsync.QueueSpec;
import dev.mapsync.MapSpec;
import dev.mapsync.internal.store.Bpffs;

import java.nio.file.Path;

/**
 * The queue of the soak: producer processes send numbered records to one consumer (a thread of the coordinator).
 * On bpf it is a kernel ring buffer, and a producer writes each record by running a BPF program
 * ({@code bpf_ringbuf_output}, through {@code BPF_PROG_TEST_RUN}), which the kernel does whole or not at all.
 *
 * <pre>
 * record: struct { int32 producer; int32 kind (0); int64 seq; }   the layout the BPF program copies
 * </pre>
 */
final class Feed {
    private Feed() {}

    /** Values the queue holds: 2,730 records of 24 bytes fill a ring of 64 KiB. */
    static final int CAPACITY = 2_730;

    /** One record: which producer slot (0-based within its kind) sent it, and its number in that slot's sequence. */
    record Item(int producer, int kind, long seq) {}

    static QueueSpec<Item> spec(Setup setup) {
        return MapSpec.queue(setup.name("queue"), Item.class, CAPACITY).backend(setup.backend()).dir(setup.dir());
    }

    /** Where the bpf backend's producer program is pinned. */
    static Path emitterPin(Setup setup) {
        return Bpffs.MAPSYNC_DIR.resolve(setup.name("queue") + "-emit");
    }
}
