package dev.mapsync.internal.sys;

/**
 * {@code membarrier(2)} with {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED}: a full memory barrier on every running thread
 * of every process that registered for it. It moves the cost of a store-then-load handshake to the side that runs
 * rarely: a ring's consumer about to sleep issues it (a few microseconds, once per sleep) so that producers may
 * publish each record with a plain release store instead of a full fence. When the command returns, every store a
 * registered process's running threads made before it is visible, and their later loads see what the caller
 * stored before it; threads that were not running passed a context switch, itself a full barrier.
 *
 * <p>A kernel without the command, or a seccomp policy that refuses the call (some container runtimes), makes
 * {@link #registerThisProcess} and {@link #fenceRegisteredProcesses} return false; callers then keep their fences.
 */
public final class Membarrier {
    private Membarrier() {}

    private static final int CMD_QUERY = 0, CMD_GLOBAL_EXPEDITED = 1 << 1, CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    /** Registration is per process and lasts as long as it; done once, on first use. */
    private static final class Registration {
        static final boolean DONE = call(CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
    }

    /** True if this process is registered, so that {@link #fenceRegisteredProcesses} reaches its threads. */
    public static boolean registerThisProcess() {
        return Registration.DONE;
    }

    /** True if this process may issue {@link #fenceRegisteredProcesses} (the kernel has it, and allows it here). */
    public static boolean canFence() {
        long commands = call(CMD_QUERY);
        return commands > 0 && (commands & CMD_GLOBAL_EXPEDITED) != 0;
    }

    /**
     * Runs a full memory barrier on every running thread of every registered process.
     *
     * @return false if the kernel refused
     */
    public static boolean fenceRegisteredProcesses() {
        return call(CMD_GLOBAL_EXPEDITED) == 0;
    }

    private static long call(int command) {
        return Native.syscall(Arch.SYS_MEMBARRIER, command, 0, 0);
    }
}
