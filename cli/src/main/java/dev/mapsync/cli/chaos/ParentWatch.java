package dev.mapsync.cli.chaos;

import java.util.Optional;

/**
 * Ends a worker process whose coordinator is gone (killed, or crashed): without it, workers of a soak that was
 * interrupted would run on, holding their maps, since nobody would tell them to stop.
 */
final class ParentWatch {
    private ParentWatch() {}

    static void start() {
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty()) return;
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
