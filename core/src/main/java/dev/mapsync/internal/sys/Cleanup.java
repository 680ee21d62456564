package dev.mapsync.internal.sys;

import java.lang.ref.Cleaner;

/**
 * The one thread that gives back what a handle holds once the handle is unreachable: a process slot, mappings,
 * descriptors. Applications should close handles; this is for the ones they drop, which would otherwise keep their
 * slot until the process ends and, a thousand later, leave the map no slot to open it with.
 */
public final class Cleanup {
    private Cleanup() {}

    /** Register an action that reaches what must be released, never the object whose unreachability triggers it. */
    public static final Cleaner CLEANER =
            Cleaner.create(Thread.ofPlatform().daemon().name("mapsync-cleaner").factory());
}
