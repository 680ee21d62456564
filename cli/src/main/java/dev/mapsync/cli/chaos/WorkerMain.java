package dev.mapsync.cli.chaos;

/**
 * The body of a chaos worker process ({@code mapsync chaos-worker KIND SLOT SEED SETUP...}): it opens the soak's maps,
 * recovers what the slot's previous process left, says it is ready, then works round after round until told to stop,
 * pausing between rounds so that the coordinator can check the maps while nothing moves. It ends when the coordinator
 * is gone ({@link dev.mapsync.cli.demo.Workers}).
 */
public final class WorkerMain {
    private WorkerMain() {}

    /** The nice value of a worker once it is ready ({@link Niceness}). */
    static final int NICE = 10;

    public static void run(String kind, int slot, long seed, java.util.List<String> setupArgs) {
        Setup setup = Setup.parse(setupArgs);
        try (Control control = Control.open(setup)) {
            Kind k = Kind.ofId(kind);
            if (k == Kind.PARTY) {
                Party.run(control, slot, setup, seed);
                return;
            }
            try (Work work = open(k, control, slot, setup, seed)) {
                work.recover();
                Niceness.lower(NICE);
                control.setSlot(slot, Control.READY, ProcessHandle.current().pid());
                while (control.awaitRunning(slot)) {
                    boolean stall = control.takeStall(slot);
                    long start = System.nanoTime();
                    work.once(stall);
                    control.operationDone(slot, System.nanoTime() - start);
                }
            }
        }
    }

    private static Work open(Kind kind, Control control, int slot, Setup setup, long seed) {
        return switch (kind) {
            case TRANSFER -> new TransferWorker(control, slot, setup, seed);
            case RECORD -> new RecordWriter(control, slot, setup, seed);
            case HASH -> new HashWriter(control, slot, setup, seed);
            case PRODUCER -> new Producer(control, slot, setup, seed);
            case PARTY -> throw new IllegalArgumentException("a barrier party runs its own loop");
        };
    }
}
