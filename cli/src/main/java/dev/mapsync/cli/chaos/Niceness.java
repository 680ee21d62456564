package dev.mapsync.cli.chaos;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Lowers the scheduling priority of a worker process once it is ready, so that the JVMs that start in the slots of
 * killed workers, and the coordinator's checks, get the CPU before the busy workers: a restart is then ready in a
 * second or two even when the workers keep every CPU busy, and the soak takes only what others leave of a shared
 * machine. Linux keeps a nice value per thread, and a thread inherits its creator's, so every thread is lowered.
 */
final class Niceness {
    private Niceness() {}

    private static final int PRIO_PROCESS = 0;
    private static final MethodHandle SETPRIORITY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("setpriority").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));

    /** Gives every thread of this process the nice value {@code nice}; best effort. */
    static void lower(int nice) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                int tid = Integer.parseInt(task.getFileName().toString());
                int ignored = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, nice);
            }
        } catch (IOException | RuntimeException e) {
            // a thread that ended meanwhile, or no /proc: the worker runs at its priority, only slower restarts follow
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
