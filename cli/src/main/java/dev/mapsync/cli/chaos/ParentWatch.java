package dev.mapsync.cli.chaos;

import java.util.Optional;

/**
 * Ends a worker process whose coordinator is gone (killed, or crashed): without it, workers of a soak that was
 * interrupted would run on, holding their maps, since nobody would tell them to stop.
 */
final class ParentWatch {
    private ParentWatch() {}

    /** Watches the coordinator, whose pid is {@code coordinatorPid}; ends at once if it is no longer the parent. */
    static void start(long coordinatorPid) {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        // a worker started as its coordinator died belongs to init already: nobody would ever stop it
        if (parent.isEmpty() || parent.get().pid() != coordinatorPid) Runtime.getRuntime().halt(3);
        ProcessHandle coordinator = parent.get();
        Thread watch = Thread.ofPlatform().daemon().name("chaos-parent-watch").unstarted(() -> {
            try {
                coordinator.onExit().get();
            } catch (Exception e) {
                // interrupted or failed: end anyway, there is no one to report to
            }
            Runtime.getRuntime().halt(3);
        });
        watch.start();
    }
}
