package dev.mapsync.internal.store;

import dev.mapsync.MapAccessDeniedException;
import dev.mapsync.MapExistsException;
import dev.mapsync.MapNotFoundException;
import dev.mapsync.MapSyncException;
import dev.mapsync.internal.sys.Errno;
import dev.mapsync.internal.sys.SyscallException;

import java.nio.file.Path;

/** Turns a failed {@code bpf(2)} (or mmap of a kernel map) into the public exception that says what happened. */
public final class BpfFailures {
    private BpfFailures() {}

    static MapSyncException of(String name, Path pin, SyscallException e) {
        String map = "map '" + name + "'";
        return switch (e.errno()) {
            case Errno.EPERM, Errno.EACCES -> new MapAccessDeniedException("permission denied for bpf " + map
                    + (pin == null ? "" : " (pin " + pin + ")") + ": " + e.getMessage(), e);
            case Errno.ENOENT -> new MapNotFoundException("no " + map + (pin == null ? "" : ": nothing is pinned at " + pin)
                    + " (" + e.getMessage() + ")", e);
            case Errno.EEXIST -> new MapExistsException(map + " already exists" + (pin == null ? "" : " (pin " + pin + ")")
                    + ": " + e.getMessage(), e);
            default -> new MapSyncException("bpf " + map + ": " + e.getMessage(), e);
        };
    }

    /** Runs a call that may fail in {@code bpf(2)} or mmap, translating the failure. */
    public static <T> T call(String name, Path pin, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (SyscallException e) {
            throw of(name, pin, e);
        }
    }
}
